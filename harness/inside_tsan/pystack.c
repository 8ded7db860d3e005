/* Python stacks read straight from the interpreter's frames, without calling it.
 *
 * Compiled without TSan instrumentation (harness/inside_tsan/CMakeLists.txt): it runs inside TSan's report
 * callback and in signal handlers, where instrumented code can deadlock on TSan's locks, and it
 * reads other threads' frames on purpose, which TSan must not see. Everything here is a plain
 * read of CPython's internal structures (3.13 layout, through its internal headers): the line
 * number is decoded from the code object's location table by hand, strings are read from the
 * unicode object's storage, and nothing is allocated. */
#include "pystack.h"

#include "internal/pycore_code.h"
#include "internal/pycore_frame.h"
#include "internal/pycore_interp.h"
#include "internal/pycore_pystate.h"

#define MAX_STRING_CHARS 500

PyThreadState *ft_pystack_current_tstate(void) { return _Py_tss_tstate; }

/* A str object as UTF-8 (lone surrogates become U+FFFD), at most MAX_STRING_CHARS characters. */
static void write_unicode(ft_out *o, PyObject *text)
{
    PyASCIIObject *a = (PyASCIIObject *)text;
    const void *data;
    Py_ssize_t size;
    int kind;

    if (!text || _PyMem_IsPtrFreed(text) || !PyUnicode_Check(text)) {
        FT_OUT_LIT(o, "???");
        return;
    }
    size = a->length;
    kind = a->state.kind;
    if (a->state.compact)
        data = a->state.ascii ? (const void *)(a + 1) : (const void *)((PyCompactUnicodeObject *)text + 1);
    else if (!(data = ((PyUnicodeObject *)text)->data.any)) {
        FT_OUT_LIT(o, "???");
        return;
    }
    for (Py_ssize_t i = 0; i < size && i < MAX_STRING_CHARS; i++) {
        Py_UCS4 c = kind == PyUnicode_1BYTE_KIND ? ((const Py_UCS1 *)data)[i]
                    : kind == PyUnicode_2BYTE_KIND ? ((const Py_UCS2 *)data)[i]
                                                   : ((const Py_UCS4 *)data)[i];
        char u[4];
        if ((c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
            c = 0xfffd;
        if (c < 0x80) {
            u[0] = (char)c;
            ft_out_raw(o, u, 1);
        } else if (c < 0x800) {
            u[0] = (char)(0xc0 | (c >> 6)), u[1] = (char)(0x80 | (c & 0x3f));
            ft_out_raw(o, u, 2);
        } else if (c < 0x10000) {
            u[0] = (char)(0xe0 | (c >> 12)), u[1] = (char)(0x80 | ((c >> 6) & 0x3f)), u[2] = (char)(0x80 | (c & 0x3f));
            ft_out_raw(o, u, 3);
        } else {
            u[0] = (char)(0xf0 | (c >> 18)), u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
            u[2] = (char)(0x80 | ((c >> 6) & 0x3f)), u[3] = (char)(0x80 | (c & 0x3f));
            ft_out_raw(o, u, 4);
        }
    }
    if (size > MAX_STRING_CHARS)
        FT_OUT_LIT(o, "...");
}

/* Signed and unsigned varints of the location table (Objects/locations.md): 6 bits a byte. */
static unsigned int read_varint(const uint8_t **p, const uint8_t *limit)
{
    unsigned int byte, val, shift = 0;
    if (*p >= limit)
        return 0;
    byte = *(*p)++;
    val = byte & 63;
    while ((byte & 64) && *p < limit && shift < 24) {
        byte = *(*p)++;
        shift += 6;
        val |= (byte & 63) << shift;
    }
    return val;
}

static int line_delta(const uint8_t *entry, const uint8_t *limit)
{
    int code = (entry[0] >> 3) & 15;
    const uint8_t *p = entry + 1;
    unsigned int u;
    switch (code) {
    case PY_CODE_LOCATION_INFO_NO_COLUMNS:
    case PY_CODE_LOCATION_INFO_LONG:
        u = read_varint(&p, limit);
        return u & 1 ? -(int)(u >> 1) : (int)(u >> 1);
    case PY_CODE_LOCATION_INFO_ONE_LINE1: return 1;
    case PY_CODE_LOCATION_INFO_ONE_LINE2: return 2;
    default: return 0;
    }
}

/* The line of byte offset `addr` in `code`, or -1: walks the location table's entries, each a
 * header byte (high bit set; 4 bits of kind, 3 of length-1 in code units) and its payload. */
static int addr_to_line(PyCodeObject *code, int addr)
{
    PyObject *table = code->co_linetable;
    const uint8_t *p, *limit;
    int line = code->co_firstlineno, end = 0;

    if (addr < 0)
        return code->co_firstlineno;
    if (!table || _PyMem_IsPtrFreed(table) || !PyBytes_Check(table) || addr >= _PyCode_NBYTES(code))
        return -1;
    p = (const uint8_t *)PyBytes_AS_STRING(table);
    limit = p + PyBytes_GET_SIZE(table);
    while (p < limit) {
        int entry_line;
        line += line_delta(p, limit);
        entry_line = (p[0] >> 3) == 0x1f ? -1 : line; /* PY_CODE_LOCATION_INFO_NONE */
        end += ((p[0] & 7) + 1) * (int)sizeof(_Py_CODEUNIT);
        if (addr < end)
            return entry_line;
        do
            p++;
        while (p < limit && !(p[0] & 128));
    }
    return -1;
}

/* The frame's code object, or NULL when the frame does not look valid: it is read while its thread
 * runs (or after a crash), so anything may be half-written or freed. CPython 3.13.15 has this as
 * _PyFrame_SafeGetCode; earlier 3.13 releases do not, and ftstress builds against both. */
static PyCodeObject *frame_code(_PyInterpreterFrame *f)
{
    PyObject *executable = f->f_executable;
    if (!f->f_globals || !f->f_builtins || !executable || _PyMem_IsPtrFreed(executable) ||
        _PyMem_IsPtrFreed(Py_TYPE(executable)) || !PyCode_Check(executable))
        return NULL;
    return (PyCodeObject *)executable;
}

/* The byte offset of the frame's current instruction in its code, or -1. */
static int frame_lasti(_PyInterpreterFrame *f, PyCodeObject *code)
{
    return (int)((f->instr_ptr - _PyCode_CODE(code)) * (int)sizeof(_Py_CODEUNIT));
}

static void write_frame(ft_out *o, _PyInterpreterFrame *f)
{
    PyCodeObject *code = frame_code(f);
    int line;
    FT_OUT_LIT(o, "  File \"");
    if (!code) {
        FT_OUT_LIT(o, "???\", line ??? in ???\n");
        return;
    }
    write_unicode(o, code->co_filename);
    FT_OUT_LIT(o, "\", line ");
    line = addr_to_line(code, frame_lasti(f, code));
    if (line >= 0)
        ft_out_dec(o, line);
    else
        FT_OUT_LIT(o, "???");
    FT_OUT_LIT(o, " in ");
    write_unicode(o, code->co_name);
    FT_OUT_LIT(o, "\n");
}

void ft_pystack_write(ft_out *o, PyThreadState *ts)
{
    int n = 0;
    if (!ts || _PyMem_IsPtrFreed(ts))
        return;
    for (_PyInterpreterFrame *f = ts->current_frame; f && !_PyMem_IsPtrFreed(f); f = f->previous) {
        if (f->owner == FRAME_OWNED_BY_CSTACK)
            continue; /* the C-stack trampoline frame is no Python frame */
        if (n++ == FT_PYSTACK_MAX_FRAMES) {
            FT_OUT_LIT(o, "  ... (more frames not shown: the stack is deeper than ");
            ft_out_dec(o, FT_PYSTACK_MAX_FRAMES);
            FT_OUT_LIT(o, ")\n");
            return;
        }
        write_frame(o, f);
    }
}

void ft_pystack_write_all(ft_out *o, PyInterpreterState *interp, PyThreadState *current)
{
    int n = 0;
    if (!interp)
        return;
    for (PyThreadState *ts = interp->threads.head; ts && !_PyMem_IsPtrFreed(ts); ts = ts->next) {
        if (n++ == FT_PYSTACK_MAX_THREADS) {
            FT_OUT_LIT(o, "... (more threads not shown)\n");
            break;
        }
        if (ts == current)
            FT_OUT_LIT(o, "Current thread ");
        else
            FT_OUT_LIT(o, "Thread ");
        ft_out_hex(o, ts->thread_id);
        FT_OUT_LIT(o, " (most recent call first):\n");
        ft_pystack_write(o, ts);
        FT_OUT_LIT(o, "\n");
    }
}
