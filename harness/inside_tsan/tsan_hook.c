/* Captures every TSan report in-process, as structured data, and streams it to the supervisor.
 *
 * TSan calls __tsan_on_report() for each report it prints, holding its report lock, with other
 * threads possibly waiting for it. So nothing here may be instrumented, take a lock, allocate or
 * call the interpreter: an instrumented function entry or exit in here can wait for TSan's slot
 * lock while the threads that hold it wait for the report lock, which deadlocked real targets.
 * This file, plain_out.c and pystack.c are compiled without instrumentation and with -fno-builtin
 * (harness/inside_tsan/CMakeLists.txt); everything they write is on the calling thread's stack and leaves
 * through write(2) on a descriptor no other code writes. */
#include "tsan_hook.h"

#include <sanitizer/common_interface_defs.h>
#include <sanitizer/tsan_interface.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "event_protocol.h"
#include "plain_out.h"
#include "pystack.h"

#ifdef FTSTRESS_NO_TSAN
/* The plain driver (FTSTRESS_SANITIZER=none) has no TSan runtime: nothing calls __tsan_on_report
 * there, and the report accessors it would call stay weak and unresolved. */
#pragma weak __tsan_get_report_data
#pragma weak __tsan_get_report_mop
#pragma weak __tsan_get_report_thread
#pragma weak __tsan_get_report_loc
#pragma weak __tsan_get_report_stack
#pragma weak __sanitizer_symbolize_pc
#endif

/* Not in the public headers; exported by the TSan runtime (tsan_interface_ann.cpp). */
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);
void AnnotateIgnoreWritesBegin(const char *file, int line);
void AnnotateIgnoreWritesEnd(const char *file, int line);

#define MAX_FRAMES 128
#define MAX_ITEMS 16

/* Written once by ft_tsan_hook_arm() before any harness thread starts; read-only afterwards. */
static int report_fd = -1;

/* Set while writing one report when a stack was longer than MAX_FRAMES. Reports are written one at
 * a time (TSan holds its report lock around this callback), so one flag serves them all. */
static int frames_cut;
static ft_status *status_page;

#ifdef FTSTRESS_NO_TSAN
/* No TSan to hide accesses from in the plain driver. */
void ft_tsan_ignore_begin(void) {}
void ft_tsan_ignore_end(void) {}
#else
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
#endif

void ft_tsan_hook_arm(int fd, ft_status *status)
{
    report_fd = fd;
    status_page = status;
}

static void clear_trace(void **trace)
{
    for (int i = 0; i < MAX_FRAMES; i++)
        trace[i] = 0;
}

/* The length of a "\x01"-separated field of a symbolizer answer. */
static size_t field_len(const char *s)
{
    size_t n = 0;
    while (s[n] && s[n] != '\x01')
        n++;
    return n;
}

/* A symbolized stack as [[function, file, line, module], ...], inlined frames expanded. TSan
 * keeps return addresses; like TSan's own printer, symbolize the instruction before each. A full
 * trace may have been cut by MAX_FRAMES: a last ["...", "", 0, ""] frame says so. */
static void out_frames(ft_out *o, void *const *trace)
{
    int first = 1;
    FT_OUT_LIT(o, "[");
    for (int i = 0; i < MAX_FRAMES; i++) {
        char sym[2048];
        unsigned long pc = (unsigned long)trace[i];
        if (!pc || (i > 0 && trace[i] == trace[i - 1]))
            continue; /* the trace repeats a PC once per inlined frame; symbolizing expands them */
        sym[0] = sym[1] = '\0';
        __sanitizer_symbolize_pc((void *)(pc - 1), "%f\x01%s\x01%l\x01%m", sym, sizeof sym);
        /* Inlined frames come as consecutive NUL-terminated strings, the innermost first. */
        for (const char *f = sym; *f && f < sym + sizeof sym; f += ft_plain_strlen(f) + 1) {
            const char *fields[4] = {f, "", "0", ""};
            size_t lens[4] = {field_len(f), 0, 1, 0};
            for (int k = 1; k < 4 && fields[k - 1][lens[k - 1]] == '\x01'; k++) {
                fields[k] = fields[k - 1] + lens[k - 1] + 1;
                lens[k] = field_len(fields[k]);
            }
            int line_ok = lens[2] > 0;
            for (size_t c = 0; c < lens[2]; c++)
                line_ok &= fields[2][c] >= '0' && fields[2][c] <= '9';
            if (!first)
                FT_OUT_LIT(o, ",");
            first = 0;
            FT_OUT_LIT(o, "[");
            ft_out_json(o, fields[0], lens[0]);
            FT_OUT_LIT(o, ",");
            ft_out_json(o, fields[1], lens[1]);
            FT_OUT_LIT(o, ",");
            if (line_ok)
                ft_out_raw(o, fields[2], lens[2]);
            else
                FT_OUT_LIT(o, "0");
            FT_OUT_LIT(o, ",");
            ft_out_json(o, fields[3], lens[3]);
            FT_OUT_LIT(o, "]");
        }
    }
    if (trace[MAX_FRAMES - 1]) {
        FT_OUT_LIT(o, ",[\"...\",\"\",0,\"\"]");
        frames_cut = 1;
    }
    FT_OUT_LIT(o, "]");
}

/* The Python stack of the reporting thread, read from its frames, as one JSON string. */
static void out_python_stack(ft_out *o)
{
    ft_out text;
    ft_out_init(&text, -1);
    ft_pystack_write(&text, ft_pystack_current_tstate());
    if (text.dropped) {
        text.n = text.n > 120 ? text.n - 120 : 0; /* room for the note */
        FT_OUT_LIT(&text, "\n  ... (Python stack cut at 8 KiB)\n");
    }
    ft_out_json(o, text.buf, text.n);
}

/* How many items a list had past MAX_ITEMS, so the supervisor can say that data was cut. */
static void out_cut(ft_out *o, const char *key, int n)
{
    if (n <= MAX_ITEMS)
        return;
    FT_OUT_LIT(o, ",\"");
    ft_out_cstr(o, key);
    FT_OUT_LIT(o, "_cut\":");
    ft_out_dec(o, n - MAX_ITEMS);
}

static void out_report(ft_out *o, void *report)
{
    const char *description = "";
    int count = 0, nstacks = 0, nmops = 0, nlocs = 0, nmutexes = 0, nthreads = 0, nunique = 0;
    void *trace[MAX_FRAMES];

    frames_cut = 0;
    clear_trace(trace);
    if (!__tsan_get_report_data(report, &description, &count, &nstacks, &nmops, &nlocs, &nmutexes, &nthreads,
                                &nunique, trace, MAX_FRAMES))
        return;
    FT_OUT_LIT(o, "{\"ev\":\"" FT_EVNAME_REPORT "\",\"type\":");
    ft_out_json_cstr(o, description);
    FT_OUT_LIT(o, ",\"round\":");
    ft_out_dec(o, status_page ? (long long)atomic_load(&status_page->round) : -1LL);
    FT_OUT_LIT(o, ",\"phase\":");
    ft_out_json_cstr(o, ft_phase_name(status_page ? atomic_load(&status_page->phase) : 0));
    FT_OUT_LIT(o, ",\"dups\":");
    ft_out_dec(o, count);
    FT_OUT_LIT(o, ",\"mops\":[");
    for (int i = 0, n = 0; i < nmops && i < MAX_ITEMS; i++) {
        int tid = 0, size = 0, write = 0, atomic = 0;
        void *addr = 0;
        clear_trace(trace);
        if (!__tsan_get_report_mop(report, (unsigned long)i, &tid, &addr, &size, &write, &atomic, trace, MAX_FRAMES))
            continue;
        ft_out_cstr(o, n++ ? ",{\"tid\":" : "{\"tid\":");
        ft_out_dec(o, tid);
        FT_OUT_LIT(o, ",\"write\":");
        ft_out_dec(o, write);
        FT_OUT_LIT(o, ",\"atomic\":");
        ft_out_dec(o, atomic);
        FT_OUT_LIT(o, ",\"size\":");
        ft_out_dec(o, size);
        FT_OUT_LIT(o, ",\"addr\":\"");
        ft_out_hex(o, (unsigned long)addr);
        FT_OUT_LIT(o, "\",\"frames\":");
        out_frames(o, trace);
        FT_OUT_LIT(o, "}");
    }
    FT_OUT_LIT(o, "],\"threads\":[");
    for (int i = 0, n = 0; i < nthreads && i < MAX_ITEMS; i++) {
        int tid = 0, running = 0, parent = 0;
        uint64_t os_id = 0;
        const char *name = 0;
        clear_trace(trace);
        if (!__tsan_get_report_thread(report, (unsigned long)i, &tid, &os_id, &running, &name, &parent, trace,
                                      MAX_FRAMES))
            continue;
        ft_out_cstr(o, n++ ? ",{\"tid\":" : "{\"tid\":");
        ft_out_dec(o, tid);
        FT_OUT_LIT(o, ",\"running\":");
        ft_out_dec(o, running);
        FT_OUT_LIT(o, ",\"name\":");
        ft_out_json_cstr(o, name);
        FT_OUT_LIT(o, ",\"frames\":");
        out_frames(o, trace);
        FT_OUT_LIT(o, "}");
    }
    FT_OUT_LIT(o, "],\"locs\":[");
    for (int i = 0, n = 0; i < nlocs && i < MAX_ITEMS; i++) {
        const char *type = 0;
        void *addr = 0, *start = 0;
        unsigned long size = 0;
        int tid = 0, fd = 0, suppressable = 0;
        clear_trace(trace);
        if (!__tsan_get_report_loc(report, (unsigned long)i, &type, &addr, &start, &size, &tid, &fd, &suppressable,
                                   trace, MAX_FRAMES))
            continue;
        ft_out_cstr(o, n++ ? ",{\"type\":" : "{\"type\":");
        ft_out_json_cstr(o, type);
        FT_OUT_LIT(o, ",\"start\":\"");
        ft_out_hex(o, (unsigned long)start);
        FT_OUT_LIT(o, "\",\"size\":");
        ft_out_dec(o, (long long)size);
        FT_OUT_LIT(o, ",\"tid\":");
        ft_out_dec(o, tid);
        FT_OUT_LIT(o, ",\"frames\":");
        out_frames(o, trace);
        FT_OUT_LIT(o, "}");
    }
    FT_OUT_LIT(o, "],\"stacks\":[");
    for (int i = 0, n = 0; i < nstacks && i < MAX_ITEMS; i++) {
        clear_trace(trace);
        if (!__tsan_get_report_stack(report, (unsigned long)i, trace, MAX_FRAMES))
            continue;
        if (n++)
            FT_OUT_LIT(o, ",");
        out_frames(o, trace);
    }
    FT_OUT_LIT(o, "]");
    out_cut(o, "mops", nmops);
    out_cut(o, "threads", nthreads);
    out_cut(o, "locs", nlocs);
    out_cut(o, "stacks", nstacks);
    if (frames_cut)
        FT_OUT_LIT(o, ",\"frames_cut\":true");
    FT_OUT_LIT(o, ",\"pystack\":");
    out_python_stack(o);
    FT_OUT_LIT(o, "}\n");
}

void __tsan_on_report(void *report);
void __tsan_on_report(void *report)
{
    ft_out o;
    if (report_fd < 0)
        return;
    ft_out_init(&o, report_fd);
    out_report(&o, report);
    ft_out_flush(&o);
}
