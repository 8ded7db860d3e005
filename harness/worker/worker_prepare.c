/* A worker's preparation (worker_prepare.h): the scenario read and compiled, the namespace with its
 * imports done, the GIL checked and the targets listed for the exercised counts. */
#include "worker_prepare.h"
#include "exit_codes.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "exercise.h"
#include "scenario_json.h"
#include "startup_steps.h"
#include "worker_fds.h"
#include "worker_python.h"
#include "xalloc.h"

static int compile_scenario(const ft_scenario *s, PyObject **blocks, PyObject **bodies)
{
    static const char *const names[B_COUNT] = {"setup_once", "setup", "check", "teardown", "arbiter"};
    const ft_block *b[B_COUNT] = {&s->setup_once, &s->setup, &s->check, &s->teardown, &s->arbiter};
    int failed = 0;

    for (int i = 0; i < B_COUNT; i++)
        if (!(blocks[i] = ft_py_compile(s, b[i], names[i])))
            failed = 1;
    for (size_t r = 0; r < s->nroles; r++) {
        char name[256];
        snprintf(name, sizeof name, "body[%s]", s->roles[r].name);
        if (!(bodies[r] = ft_py_compile(s, &s->roles[r].body, name)))
            failed = 1;
    }
    return failed ? -1 : 0;
}

/* For `check` and `run`: a scenario that does not compile is refused before any round. */
int ft_prepare_compile_all(const ft_strlist *files)
{
    int failed = 0;
    for (size_t f = 0; f < files->count; f++) {
        ft_scenario_set set = {0};
        ft_diags diags = {0};
        ft_scenarios_load_file(files->items[f], &set, &diags);
        for (size_t i = 0; i < set.count; i++) {
            PyObject *blocks[B_COUNT] = {0}, **bodies = ft_xcalloc(set.items[i].nroles, sizeof *bodies);
            if (compile_scenario(&set.items[i], blocks, bodies) < 0)
                failed = 1;
            free(bodies); /* the process ends right after: the code objects may stay */
        }
        ft_diags_free(&diags);
        ft_scenarios_free(&set);
    }
    ft_event_send(FT_EV_COMPILED, json_pack("{s:b}", "ok", !failed));
    return failed;
}

static PyObject *make_namespace(const ft_scenario *s)
{
    PyObject *ns = PyDict_New();
    PyObject *threads = PyLong_FromLong(ft_scenario_threads(s));
    if (!ns || !threads || PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins()) < 0 ||
        PyDict_SetItemString(ns, "__name__", PyUnicode_FromString("__ftstress__")) < 0 ||
        PyDict_SetItemString(ns, "threads", threads) < 0) {
        Py_XDECREF(threads);
        return NULL;
    }
    Py_DECREF(threads);
    return ns;
}

static int gil_enabled(void)
{
    PyObject *f = PySys_GetObject("_is_gil_enabled"); /* borrowed; a C call, no source to parse */
    PyObject *r = f ? PyObject_CallNoArgs(f) : NULL;
    int enabled = r ? PyObject_IsTrue(r) == 1 : 0;
    Py_XDECREF(r);
    PyErr_Clear();
    return enabled;
}

/* The first import after which the GIL was on (it was off before), for the refusal message. */
static char gil_culprit[256];

/* Imports the scenario's modules into the shared namespace as `import X` would. */
static int import_modules(const ft_scenario *s, PyObject *ns)
{
    int gil_before = gil_enabled();
    for (size_t i = 0; i < s->imports.count; i++) {
        char *stmt = NULL;
        PyObject *r;
        stmt = ft_xasprintf("import %s\n", s->imports.items[i]);
        r = PyRun_String(stmt, Py_file_input, ns, ns);
        free(stmt);
        if (!r) {
            PyObject *info = ft_py_take_exception(NULL, NULL);
            ft_event_exception(FT_EV_FATAL, "import", -1, -1, info);
            Py_XDECREF(info);
            return -1;
        }
        Py_DECREF(r);
        if (!gil_before && !gil_culprit[0] && gil_enabled())
            snprintf(gil_culprit, sizeof gil_culprit, "%s", s->imports.items[i]);
    }
    return 0;
}


/* After imports: a module without Py_mod_gil turns the GIL back on, silently hiding most races.
 * Also lists the targets for the exercised counts. */
static void check_gil(const ft_scenario *s, gil_state *g)
{
    const char *forced = getenv("PYTHON_GIL");
    g->enabled = gil_enabled();
    g->allowed = forced && !strcmp(forced, "1");
    g->targets = json_array();

    /* Imports that are not the standard library are the code under test: findings without native
     * frames (exceptions, hangs) are attributed to them. */
    for (size_t i = 0; i < s->imports.count; i++) {
        char code[512];
        snprintf(code, sizeof code,
                 "(lambda m, p: bool(getattr(m, '__file__', None)) and"
                 " (not m.__file__.startswith(p) or '/site-packages/' in m.__file__))"
                 "(__import__('sys').modules[%s%s%s], __import__('os').path.dirname(__import__('os').__file__))",
                 "'", s->imports.items[i], "'");
        PyObject *v = PyRun_String(code, Py_eval_input, PyEval_GetBuiltins(), NULL);
        if (v && PyObject_IsTrue(v))
            json_array_append_new(g->targets, json_string(s->imports.items[i]));
        Py_XDECREF(v);
        PyErr_Clear();
    }
    ft_exercise_list(s, g->targets); /* in a zygote, once for all its workers */
}

int ft_prepare_report_gil(const ft_scenario *s, const gil_state *g, int targets_known)
{
    ft_exercise_register(s, g->targets, !targets_known);
    ft_exercise_announce();
    ft_event_send(FT_EV_GIL, json_pack("{s:b, s:b, s:O, s:s?}", "enabled", g->enabled, "allowed", g->allowed,
                            "targets", g->targets, "by", gil_culprit[0] ? gil_culprit : NULL));
    return g->enabled && !g->allowed ? -1 : 0;
}

/* The scenario the supervisor resolved and handed over on FT_FD_SCENARIO (scenario_json.h). */
static int read_handed_scenario(int fd, ft_scenario *out)
{
    /* Read whole, then parsed: jansson reads a descriptor a byte per read(2), seconds for a large body. */
    struct stat st;
    json_error_t err;
    json_t *doc = NULL;
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
        char *text = ft_xmalloc((size_t)st.st_size);
        if (pread(fd, text, (size_t)st.st_size, 0) == st.st_size)
            doc = json_loadb(text, (size_t)st.st_size, 0, &err);
        free(text);
    }
    int rc = doc ? ft_scenario_from_json(doc, out) : -1;
    json_decref(doc);
    if (fd == FT_FD_SCENARIO)
        ft_worker_fds_park(FT_FD_SCENARIO);
    else
        close(fd);
    return rc;
}

void ft_worker_set_phase(ft_status *status, int phase)
{
    if (!status) /* a zygote preparing: no supervisor watches it yet */
        return;
    atomic_store(&status->phase_started_ns, ft_now_ns());
    atomic_store(&status->phase, phase);
}

int ft_prepare(const worker_args *a, int scenario_fd, ft_status *status, ft_worker_prepared *p)
{
    ft_diags diags = {0};

    p->s = read_handed_scenario(scenario_fd, &p->handed) == 0 ? &p->handed : NULL;
    if (!p->s) { /* run by hand, without a supervisor: read the file */
        ft_scenarios_load_file(a->files.items[0], &p->set, &diags);
        p->s = a->scenario ? ft_scenarios_find(&p->set, a->scenario) : NULL;
    }
    if (!p->s) {
        ft_event_send(FT_EV_FATAL, json_pack("{s:s, s:s}", "kind", "scenario", "message",
                                "scenario not found in its file (was it changed during the run?)"));
        return FT_EXIT_USAGE;
    }
    ft_scenario_override((ft_scenario *)p->s, a->threads, a->iterations);
    p->bodies = ft_xcalloc(p->s->nroles, sizeof *p->bodies);
    if (compile_scenario(p->s, p->blocks, p->bodies) < 0)
        return FT_EXIT_USAGE;
    ft_startup_mark("compile");
    p->ignore = PyFrozenSet_New(NULL);
    for (size_t i = 0; i < p->s->ignore_exceptions.count; i++)
        PySet_Add(p->ignore, PyUnicode_FromString(p->s->ignore_exceptions.items[i]));

    ft_worker_set_phase(status, FT_PHASE_SETUP_ONCE);
    if (ft_py_add_paths(&a->sites, &p->s->paths) < 0)
        return FT_EXIT_CANNOT_RUN;
    ft_startup_mark("site_paths");
    if (!(p->ns = make_namespace(p->s)) || import_modules(p->s, p->ns) < 0)
        return FT_EXIT_CANNOT_RUN;
    ft_startup_mark("imports");
    check_gil(p->s, &p->gil);
    ft_startup_mark("gil_check");
    return 0;
}
