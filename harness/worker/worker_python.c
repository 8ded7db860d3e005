/* The worker's use of the embedded interpreter: start-up, code blocks, exceptions, events. */
#include "worker_python.h"
#include "worker_fds.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event_decode.h"
#include "worker_channel.h"

/* Helpers that are simpler in Python than through the C API; compiled once at start-up. */
static const char helper_source[] =
    "import os, sys\n"
    "def compile_block(src, filename, line, name):\n"
    "    # Pad with newlines so that line numbers are the YAML file's own.\n"
    "    src = '\\n' * (line - 1) + src\n"
    "    if name == 'arbiter':\n"
    "        # The arbiter's value is its last expression: kept in __arbiter__ for the harness.\n"
    "        import ast\n"
    "        tree = ast.parse(src, filename)\n"
    "        if tree.body and isinstance(tree.body[-1], ast.Expr):\n"
    "            last = tree.body[-1]\n"
    "            tree.body[-1] = ast.copy_location(ast.Assign(\n"
    "                targets=[ast.copy_location(ast.Name('__arbiter__', ast.Store()), last)], value=last.value), last)\n"
    "        code = compile(tree, filename, 'exec')\n"
    "    else:\n"
    "        code = compile(src, filename, 'exec')\n"
    "    return code.replace(co_name=name, co_qualname=name)\n"
    "def type_name(t):\n"
    "    return t.__qualname__ if t.__module__ == 'builtins' else t.__module__ + '.' + t.__qualname__\n"
    "def describe(exc, ignore):\n"
    "    t = type(exc)\n"
    "    for k in t.__mro__:\n"
    "        if k.__name__ in ignore or type_name(k) in ignore:\n"
    "            return type_name(t)\n"
    "    tb, last = exc.__traceback__, None\n"
    "    while tb is not None:\n"
    "        last, tb = tb, tb.tb_next\n"
    "    frame, line = '?', 0\n"
    "    if last is not None:\n"
    "        code = last.tb_frame.f_code\n"
    "        frame = '%s (%s)' % (code.co_name, os.path.basename(code.co_filename))\n"
    "        line = last.tb_lineno\n"
    "    # Text leaves as UTF-8: lone surrogates (from bytes decoded with surrogateescape) are escaped.\n"
    "    clean = lambda s: s.encode('utf-8', 'backslashreplace').decode('utf-8')\n"
    "    try:\n"
    "        message = str(exc)\n"
    "    except Exception as e:\n"
    "        message = '(str() of the exception raised %s)' % type(e).__name__\n"
    "    if len(message) > 500:\n"
    "        message = message[:500] + '... (%d characters in all)' % len(message)\n"
    "    return {'type': type_name(t), 'frame': clean(frame), 'line': line, 'message': clean(message),\n"
    "            'traceback': clean(''.join(__import__('traceback').format_exception(exc)))}\n"
    "def add_paths(sites, paths):\n"
    "    for d in sites:\n"
    "        # site.addsitedir's own work only where it has some: its .pth files. Without them it\n"
    "        # appends the absolute folder, which this does for a fraction of its cost under TSan\n"
    "        # (10 of a second command's 15 ms start-up there).\n"
    "        d = os.path.abspath(d)\n"
    "        try:\n"
    "            pth = any(n.endswith('.pth') for n in os.listdir(d))\n"
    "        except OSError:\n"
    "            pth = False\n"
    "        if pth:\n"
    "            __import__('site').addsitedir(d)\n"
    "        elif d not in sys.path:\n"
    "            sys.path.append(d)\n"
    "    sys.path[0:0] = paths\n";

static PyObject *helpers; /* the helper namespace; used only with a thread state attached */

void ft_event_send(ft_event kind, json_t *event)
{
    /* An event that could not be built (json_pack refused a value) is still announced, never dropped
     * in silence: the supervisor says that something was lost. */
    char *text = event && !json_object_set_new(event, "ev", json_string(ft_event_name(kind)))
                     ? json_dumps(event, JSON_COMPACT)
                     : strdup("{\"ev\":\"" FT_EVNAME_LOST "\",\"message\":\"an event could not be encoded as JSON\"}");
    size_t len, off = 0;

    json_decref(event);
    if (!text)
        return;
    len = strlen(text);
    text[len++] = '\n'; /* json_dumps leaves room for the terminating NUL: reuse it */
    while (off < len) {
        ssize_t w = write(ft_worker_fd.events, text + off, len - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    free(text);
}

/* Sends the pending Python exception as a fatal event (could not run) and clears it. */
static void send_fatal(const char *what)
{
    PyObject *info = ft_py_take_exception(NULL, NULL);
    ft_event_exception(FT_EV_FATAL, what, -1, -1, info);
    Py_XDECREF(info);
}

static int status_ok(PyStatus st, const char *what)
{
    if (!PyStatus_Exception(st))
        return 1;
    ft_event_send(FT_EV_FATAL, json_pack("{s:s, s:s}", "kind", "interpreter", "message",
                            st.err_msg ? st.err_msg : what));
    return 0;
}

int ft_py_start(unsigned long seed)
{
    PyConfig config;
    const char *gil = getenv("PYTHON_GIL");

    PyConfig_InitIsolatedConfig(&config);
    config.install_signal_handlers = 0; /* the supervisor owns signals; workers are killed, not interrupted */
    config.use_hash_seed = 1;
    config.hash_seed = seed % 4294967296UL;
#ifdef Py_GIL_DISABLED
    /* Isolated configs ignore the environment, so PYTHON_GIL (scenario `env`) is applied here. */
    if (gil && !strcmp(gil, "0"))
        config.enable_gil = 0;
    else if (gil && !strcmp(gil, "1"))
        config.enable_gil = 1;
#endif
    if (!status_ok(PyConfig_SetBytesString(&config, &config.home, FTSTRESS_PYTHON_PREFIX), "home") ||
        !status_ok(Py_InitializeFromConfig(&config), "initialization")) {
        PyConfig_Clear(&config);
        return -1;
    }
    PyConfig_Clear(&config);

    helpers = PyDict_New();
    PyObject *r = helpers ? PyRun_String(helper_source, Py_file_input, helpers, helpers) : NULL;
    if (!r) {
        send_fatal("interpreter");
        return -1;
    }
    Py_DECREF(r);
    return 0;
}

static PyObject *strlist_to_py(const ft_strlist *l)
{
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && i < l->count; i++) {
        PyObject *s = PyUnicode_DecodeFSDefault(l->items[i]);
        if (!s || PyList_Append(list, s) < 0) {
            Py_XDECREF(s);
            Py_CLEAR(list);
            break;
        }
        Py_DECREF(s);
    }
    return list;
}

int ft_py_add_paths(const ft_strlist *sites, const ft_strlist *paths)
{
    PyObject *fn = PyDict_GetItemString(helpers, "add_paths"); /* borrowed; helpers is ours alone */
    PyObject *s = strlist_to_py(sites), *p = strlist_to_py(paths);
    PyObject *r = (fn && s && p) ? PyObject_CallFunctionObjArgs(fn, s, p, NULL) : NULL;

    Py_XDECREF(s);
    Py_XDECREF(p);
    if (!r) {
        send_fatal("path");
        return -1;
    }
    Py_DECREF(r);
    return 0;
}

PyObject *ft_py_compile(const ft_scenario *s, const ft_block *b, const char *block_name)
{
    PyObject *fn, *code;

    if (!b->code)
        Py_RETURN_NONE;
    fn = PyDict_GetItemString(helpers, "compile_block");
    code = PyObject_CallFunction(fn, "ssis", b->code, s->file, b->line, block_name);
    if (code)
        return code;
    if (PyErr_ExceptionMatches(PyExc_SyntaxError)) {
        PyObject *exc = PyErr_GetRaisedException();
        PyObject *lineno = PyObject_GetAttrString(exc, "lineno");
        PyObject *offset = PyObject_GetAttrString(exc, "offset");
        PyObject *msg = PyObject_GetAttrString(exc, "msg");
        long line = lineno && PyLong_Check(lineno) ? PyLong_AsLong(lineno) : b->line;
        long col = offset && PyLong_Check(offset) ? PyLong_AsLong(offset) : 1;
        /* The code was dedented out of the YAML block: shift the column back into the file. */
        ft_event_send(FT_EV_SYNTAX, json_pack("{s:s, s:s, s:i, s:i, s:s}", "block", block_name, "scenario",
                                s->name, "line", (int)line, "column", (int)(col + b->column - 1), "message",
                                msg && PyUnicode_Check(msg) ? PyUnicode_AsUTF8(msg) : "invalid syntax"));
        Py_XDECREF(lineno);
        Py_XDECREF(offset);
        Py_XDECREF(msg);
        Py_DECREF(exc);
        PyErr_Clear();
        return NULL;
    }
    send_fatal("compile");
    return NULL;
}

/* Internal in 3.13 but exported by the static libpython: evaluate a function's code with an
 * explicit locals mapping, which module-style (exec) code needs. */
extern PyObject *_PyEval_Vector(PyThreadState *tstate, PyFunctionObject *func, PyObject *locals,
                                PyObject *const *args, size_t argcount, PyObject *kwnames);

PyObject *ft_py_thread_function(PyObject *code, PyObject *globals)
{
    /* A copy of the code object, made by (and so owned by) the calling thread: its reference count
     * is then thread-local, with none of the atomic updates that would order threads for TSan. */
    PyObject *copy, *func;
    if (code == Py_None)
        return Py_NewRef(Py_None);
    copy = PyObject_CallMethod(code, "replace", NULL);
    if (!copy)
        return NULL;
    func = PyFunction_New(copy, globals);
    Py_DECREF(copy);
    return func;
}

int ft_py_run_function(PyObject *func, PyObject *locals)
{
    PyObject *r;
    if (func == Py_None)
        return 0;
    r = _PyEval_Vector(PyThreadState_Get(), (PyFunctionObject *)func, locals, NULL, 0, NULL);
    if (!r)
        return -1;
    Py_DECREF(r);
    return 0;
}

int ft_py_exec(PyObject *code, PyObject *globals, PyObject *locals)
{
    PyObject *r;
    if (code == Py_None)
        return 0;
    r = PyEval_EvalCode(code, globals, locals ? locals : globals);
    if (!r)
        return -1;
    Py_DECREF(r);
    return 0;
}

PyObject *ft_py_take_exception(PyObject *ignore, PyObject **ignored_type)
{
    PyObject *exc = PyErr_GetRaisedException();
    PyObject *fn = PyDict_GetItemString(helpers, "describe");
    PyObject *empty = NULL, *r;

    if (!exc)
        return NULL;
    if (!ignore)
        ignore = empty = PyFrozenSet_New(NULL);
    r = PyObject_CallFunctionObjArgs(fn, exc, ignore, NULL);
    Py_XDECREF(empty);
    Py_DECREF(exc);
    if (!r) {
        PyErr_Clear(); /* describing failed (out of memory); report what is known */
        return Py_BuildValue("{s:s,s:s,s:i,s:s,s:s}", "type", "?", "frame", "?", "line", 0, "message", "",
                             "traceback", "");
    }
    if (PyUnicode_Check(r)) {
        if (ignored_type)
            *ignored_type = r;
        else
            Py_DECREF(r);
        return NULL;
    }
    return r;
}

static const char *dict_str(PyObject *d, const char *key)
{
    PyObject *v = d ? PyDict_GetItemString(d, key) : NULL;
    const char *s = v && PyUnicode_Check(v) ? PyUnicode_AsUTF8(v) : "";
    if (!s) { /* not encodable: describe() cleans its strings, so this is only a safety net */
        PyErr_Clear();
        return "(text not encodable as UTF-8)";
    }
    return s;
}

void ft_event_exception(ft_event ev, const char *kind, long round, int thread, PyObject *info)
{
    PyObject *line = info ? PyDict_GetItemString(info, "line") : NULL;
    const char *raised_by = dict_str(info, "raised_by");
    json_t *event = json_pack("{s:s, s:I, s:i, s:s, s:s, s:i, s:s, s:s}", "kind", kind, "round",
                              (json_int_t)round, "thread", thread, "type", dict_str(info, "type"), "frame",
                              dict_str(info, "frame"), "line", line ? (int)PyLong_AsLong(line) : 0, "message",
                              dict_str(info, "message"), "traceback", dict_str(info, "traceback"));
    if (event && *raised_by)
        json_object_set_new(event, "raised_by", json_string(raised_by));
    ft_event_send(ev, event);
}

void ft_py_warm_up_compile(void)
{
    PyObject *fn = PyDict_GetItemString(helpers, "compile_block"); /* borrowed */
    PyObject *code = fn ? PyObject_CallFunction(fn, "ssis", "pass\n", "<warm-up>", 1, "setup") : NULL;
    Py_XDECREF(code);
    PyErr_Clear(); /* a slower first compile, nothing worse */
}
