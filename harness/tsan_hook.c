/* Captures every TSan report in-process, as structured data, and streams it to the supervisor.
 *
 * TSan calls __tsan_on_report() for each report it prints, holding its report lock. So this file
 * must not call Python, take locks or start threads; everything it writes is on its own stack, its
 * memory accesses are hidden from TSan (a race found inside the hook would re-enter the report
 * machinery), and it talks only through write(2) on a descriptor no other code writes. */
#include "tsan_hook.h"

#include <Python.h>
#include <sanitizer/common_interface_defs.h>
#include <sanitizer/tsan_interface.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Not in the public headers; exported by the TSan runtime (tsan_interface_ann.cpp). */
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);
void AnnotateIgnoreWritesBegin(const char *file, int line);
void AnnotateIgnoreWritesEnd(const char *file, int line);
/* CPython's signal-safe traceback writer (internal, present in the static libpython). */
extern void _Py_DumpTraceback(int fd, PyThreadState *tstate);

#define MAX_FRAMES 64
#define MAX_ITEMS 16

/* Written once by ft_tsan_hook_arm() before any harness thread starts; read-only afterwards. */
static int report_fd = -1;
static int pystack_fd = -1;
static ft_status *status_page;

void ft_tsan_ignore_begin(void)
{
    AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
    AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
}

void ft_tsan_ignore_end(void)
{
    AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
    AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
}

void ft_tsan_hook_arm(int fd, ft_status *status)
{
    report_fd = fd;
    status_page = status;
    /* A scratch file for the Python stack of the reporting thread (CPython writes it to an fd). */
    pystack_fd = memfd_create("ftstress-pystack", MFD_CLOEXEC);
}

/* A small buffered writer on the caller's stack. */
typedef struct out {
    int fd;
    size_t n;
    char buf[4096];
} out;

static void out_flush(out *o)
{
    size_t off = 0;
    while (off < o->n) {
        ssize_t w = write(o->fd, o->buf + off, o->n - off);
        if (w <= 0)
            break; /* supervisor gone: nothing useful left to do with the report */
        off += (size_t)w;
    }
    o->n = 0;
}

static void out_raw(out *o, const char *s, size_t len)
{
    while (len) {
        size_t room = sizeof o->buf - o->n, take = len < room ? len : room;
        memcpy(o->buf + o->n, s, take);
        o->n += take;
        s += take;
        len -= take;
        if (o->n == sizeof o->buf)
            out_flush(o);
    }
}

/* A string literal, its length taken by the compiler. */
#define OUT_LIT(o, lit) out_raw((o), "" lit, sizeof(lit) - 1)

static void out_fmt(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out_fmt(out *o, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        out_raw(o, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* A JSON string: quotes, backslashes and control bytes escaped; other bytes pass (UTF-8 stays). */
static void out_json_str(out *o, const char *s, size_t len)
{
    OUT_LIT(o, "\"");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            out_raw(o, e, 2);
        } else if (c == '\n')
            OUT_LIT(o, "\\n");
        else if (c < 0x20)
            out_fmt(o, "\\u%04x", c);
        else
            out_raw(o, (const char *)&c, 1);
    }
    OUT_LIT(o, "\"");
}

static void out_cstr(out *o, const char *s) { out_json_str(o, s ? s : "", s ? strlen(s) : 0); }

/* Writes a symbolized stack as [[function, file, line, module], ...], inlined frames expanded. TSan
 * keeps return addresses; like TSan's own printer, symbolize the instruction before each. */
static void out_frames(out *o, void *const *trace, int n)
{
    int first = 1;
    OUT_LIT(o, "[");
    for (int i = 0; i < n; i++) {
        char sym[2048];
        uintptr_t pc = (uintptr_t)trace[i];
        if (!pc || (i > 0 && trace[i] == trace[i - 1]))
            continue; /* the trace repeats a PC once per inlined frame; symbolizing expands them */
        __sanitizer_symbolize_pc((void *)(pc - 1), "%f\x01%s\x01%l\x01%m", sym, sizeof sym);
        /* Inlined frames come as consecutive NUL-terminated strings, the innermost first. */
        for (const char *f = sym; *f && f < sym + sizeof sym; f += strlen(f) + 1) {
            const char *fields[4] = {f, "", "0", ""};
            size_t lens[4] = {strlen(f), 0, 1, 0};
            int k = 0;
            for (const char *p = f; *p; p++)
                if (*p == '\x01' && k < 3) {
                    lens[k] = (size_t)(p - fields[k]);
                    fields[++k] = p + 1;
                    lens[k] = strlen(p + 1);
                }
            if (!first)
                OUT_LIT(o, ",");
            OUT_LIT(o, "[");
            first = 0;
            out_json_str(o, fields[0], lens[0]);
            OUT_LIT(o, ",");
            out_json_str(o, fields[1], lens[1]);
            OUT_LIT(o, ",");
            out_raw(o, fields[2], lens[2] ? lens[2] : 0);
            if (!lens[2])
                OUT_LIT(o, "0");
            OUT_LIT(o, ",");
            out_json_str(o, fields[3], lens[3]);
            OUT_LIT(o, "]");
        }
    }
    OUT_LIT(o, "]");
}

/* The Python stack of the reporting thread, if it has one, as text. */
static void out_python_stack(out *o)
{
    PyThreadState *ts = PyThreadState_GetUnchecked();
    char text[8192];
    ssize_t n;

    if (!ts || pystack_fd < 0 || ftruncate(pystack_fd, 0) != 0 || lseek(pystack_fd, 0, SEEK_SET) != 0) {
        OUT_LIT(o, "\"\"");
        return;
    }
    _Py_DumpTraceback(pystack_fd, ts);
    n = pread(pystack_fd, text, sizeof text, 0);
    out_json_str(o, text, n > 0 ? (size_t)n : 0);
}

void __tsan_on_report(void *report);
void __tsan_on_report(void *report)
{
    const char *description = "";
    int count = 0, nstacks = 0, nmops = 0, nlocs = 0, nmutexes = 0, nthreads = 0, nunique = 0;
    void *trace[MAX_FRAMES];
    out o;

    if (report_fd < 0)
        return;
    ft_tsan_ignore_begin();
    if (status_page && atomic_load(&status_page->phase) == FT_PHASE_DUMP)
        goto done; /* the hang dump reads other threads' frames on purpose */
    if (!__tsan_get_report_data(report, &description, &count, &nstacks, &nmops, &nlocs, &nmutexes, &nthreads,
                                &nunique, trace, MAX_FRAMES))
        goto done;
    o.fd = report_fd;
    o.n = 0;
    OUT_LIT(&o, "{\"ev\":\"report\",\"type\":");
    out_cstr(&o, description);
    out_fmt(&o, ",\"round\":%lld,\"phase\":\"%s\",\"dups\":%d,\"mops\":[",
            status_page ? (long long)atomic_load(&status_page->round) : -1LL,
            ft_phase_name(status_page ? atomic_load(&status_page->phase) : 0), count);
    for (int i = 0; i < nmops && i < MAX_ITEMS; i++) {
        int tid = 0, size = 0, write = 0, atomic = 0;
        void *addr = NULL;
        memset(trace, 0, sizeof trace);
        if (!__tsan_get_report_mop(report, (unsigned long)i, &tid, &addr, &size, &write, &atomic, trace, MAX_FRAMES))
            continue;
        out_fmt(&o, "%s{\"tid\":%d,\"write\":%d,\"atomic\":%d,\"size\":%d,\"addr\":\"%p\",\"frames\":", i ? "," : "",
                tid, write, atomic, size, addr);
        out_frames(&o, trace, MAX_FRAMES);
        OUT_LIT(&o, "}");
    }
    OUT_LIT(&o, "],\"threads\":[");
    for (int i = 0; i < nthreads && i < MAX_ITEMS; i++) {
        int tid = 0, running = 0, parent = 0;
        uint64_t os_id = 0;
        const char *name = NULL;
        memset(trace, 0, sizeof trace);
        if (!__tsan_get_report_thread(report, (unsigned long)i, &tid, &os_id, &running, &name, &parent, trace,
                                      MAX_FRAMES))
            continue;
        out_fmt(&o, "%s{\"tid\":%d,\"running\":%d,\"name\":", i ? "," : "", tid, running);
        out_cstr(&o, name);
        OUT_LIT(&o, ",\"frames\":");
        out_frames(&o, trace, MAX_FRAMES);
        OUT_LIT(&o, "}");
    }
    OUT_LIT(&o, "],\"locs\":[");
    for (int i = 0; i < nlocs && i < MAX_ITEMS; i++) {
        const char *type = NULL;
        void *addr = NULL, *start = NULL;
        unsigned long size = 0;
        int tid = 0, fd = 0, suppressable = 0;
        memset(trace, 0, sizeof trace);
        if (!__tsan_get_report_loc(report, (unsigned long)i, &type, &addr, &start, &size, &tid, &fd, &suppressable,
                                   trace, MAX_FRAMES))
            continue;
        out_fmt(&o, "%s{\"type\":", i ? "," : "");
        out_cstr(&o, type);
        out_fmt(&o, ",\"start\":\"%p\",\"size\":%lu,\"tid\":%d,\"frames\":", start, size, tid);
        out_frames(&o, trace, MAX_FRAMES);
        OUT_LIT(&o, "}");
    }
    OUT_LIT(&o, "],\"stacks\":[");
    for (int i = 0; i < nstacks && i < MAX_ITEMS; i++) {
        memset(trace, 0, sizeof trace);
        if (!__tsan_get_report_stack(report, (unsigned long)i, trace, MAX_FRAMES))
            continue;
        if (i)
            OUT_LIT(&o, ",");
        out_frames(&o, trace, MAX_FRAMES);
    }
    OUT_LIT(&o, "],\"pystack\":");
    out_python_stack(&o);
    OUT_LIT(&o, "}\n");
    out_flush(&o);
done:
    ft_tsan_ignore_end();
}
