/* Native stacks of every thread of another process, taken from outside with ptrace (libdwfl). */
#include "native_stack.h"

#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "utf8.h"

/* One unwind: the return addresses of the thread being walked, and what the walk has built. */
typedef struct walk {
    Dwfl *dwfl;
    pid_t pid;
    int max_frames;
    Dwarf_Addr *pcs; /* already adjusted for symbolization */
    int npcs, cap;   /* cap is max_frames + 1: every address gives at least one frame */
    json_t *threads;
    json_t *symbolized; /* frames by address: the threads of a worker share most of theirs */
    char *first_error; /* why a thread had no stack; the answer when no thread had one */
    int out_of_memory;
} walk;

static void set_error(char **error, const char *fmt, ...)
{
    va_list ap;
    if (!error)
        return;
    va_start(ap, fmt);
    if (vasprintf(error, fmt, ap) < 0)
        *error = NULL;
    va_end(ap);
}

/* A JSON string of bytes from the other process (thread names, paths): jansson refuses invalid
 * UTF-8, so invalid bytes become U+FFFD. */
static json_t *json_text(const char *s)
{
    json_t *j = json_string(s);
    if (j)
        return j;
    char *clean = ft_utf8_clean(s);
    j = json_string(clean);
    free(clean);
    return j;
}

static int add_frame(json_t *frames, const char *function, const char *file, int line, const char *module)
{
    json_t *f = json_array();
    if (!f || json_array_append_new(f, json_text(function ? function : "??")) ||
        json_array_append_new(f, json_text(file ? file : "")) || json_array_append_new(f, json_integer(line)) ||
        json_array_append_new(f, json_text(module ? module : ""))) {
        json_decref(f);
        return -1;
    }
    return json_array_append_new(frames, f);
}

/* The source name of a function, through DW_AT_abstract_origin for inlined and cloned copies. */
static const char *die_name(Dwarf_Die *die)
{
    Dwarf_Attribute attr;
    return dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
}

/* The CU holding pc. libdw before 0.192 looks CUs up in .debug_aranges only, which clang does not
 * emit (CPython's holds one table, of its assembly file): then try each CU's own address ranges. */
static Dwarf_Die *find_cu(Dwfl_Module *mod, Dwarf_Addr pc, Dwarf_Die *mem, Dwarf_Addr *bias)
{
    Dwarf_Die *cu = dwfl_module_addrdie(mod, pc, bias);
    Dwarf *dw = cu ? NULL : dwfl_module_getdwarf(mod, bias);
    for (Dwarf_CU *unit = NULL; dw && dwarf_get_units(dw, unit, &unit, NULL, NULL, mem, NULL) == 0;)
        if (dwarf_haspc(mem, pc - *bias) > 0)
            return mem;
    return cu;
}

/* Source paths absolute, as llvm-symbolizer gives them in TSan's frames and frames.c expects. */
static const char *absolute(const char *file, Dwarf_Die *cu, char *buf, size_t size)
{
    Dwarf_Attribute attr;
    const char *dir = cu ? dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &attr)) : NULL;
    if (!file || file[0] == '/' || !dir)
        return file;
    snprintf(buf, size, "%s/%s", dir, file);
    return buf;
}

/* Appends the frames of one address, eu-stack -i style: the functions inlined there innermost
 * first, then the one they were inlined into. An outer frame's file:line is the call site that
 * the inner inlined scope records, since the line table only knows the innermost position. */
static int symbolize(Dwfl *dwfl, Dwarf_Addr pc, json_t *frames)
{
    Dwfl_Module *mod = dwfl_addrmodule(dwfl, pc);
    if (!mod)
        return add_frame(frames, "??", "", 0, "");
    GElf_Off offset;
    GElf_Sym sym;
    const char *symbol = dwfl_module_addrinfo(mod, pc, &offset, &sym, NULL, NULL, NULL);
    const char *mainfile = NULL; /* known once the ELF was found, as addrinfo just did */
    const char *modname = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, &mainfile, NULL);
    const char *module = mainfile ? mainfile : modname, *file = NULL;
    char path[4096];
    int line = 0;
    Dwarf_Addr bias;
    Dwarf_Die cu_mem, *cu = find_cu(mod, pc, &cu_mem, &bias), *scopes = NULL;
    Dwfl_Line *l = dwfl_module_getsrc(mod, pc);
    Dwarf_Line *dl = l || !cu ? NULL : dwarf_getsrc_die(cu, pc - bias);
    if (l)
        file = dwfl_lineinfo(l, NULL, &line, NULL, NULL, NULL);
    else if (dl && (file = dwarf_linesrc(dl, NULL, NULL)) && dwarf_lineno(dl, &line))
        line = 0;
    if (!file)
        line = 0;
    file = absolute(file, cu, path, sizeof path);

    /* getscopes continues past an inlined scope into its abstract definition's parents; the
     * concrete chain of callers is the parents of the innermost function-like scope. */
    int nscopes = cu ? dwarf_getscopes(cu, pc - bias, &scopes) : 0, added = 0;
    for (int i = 0; i < nscopes; i++) {
        int tag = dwarf_tag(&scopes[i]);
        if (tag == DW_TAG_inlined_subroutine || tag == DW_TAG_subprogram || tag == DW_TAG_entry_point) {
            Dwarf_Die inner = scopes[i];
            free(scopes);
            scopes = NULL;
            nscopes = dwarf_getscopes_die(&inner, &scopes);
            break;
        }
    }
    Dwarf_Files *files;
    if (!cu || dwarf_getsrcfiles(cu, &files, NULL) != 0)
        files = NULL;
    for (int i = 0; i < nscopes; i++) {
        int tag = dwarf_tag(&scopes[i]);
        if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram && tag != DW_TAG_entry_point)
            continue; /* lexical blocks */
        const char *name = die_name(&scopes[i]);
        if (add_frame(frames, name ? name : tag == DW_TAG_inlined_subroutine ? "??" : symbol, file, line, module)) {
            free(scopes);
            return -1;
        }
        added++;
        if (tag != DW_TAG_inlined_subroutine)
            break; /* the function everything was inlined into */
        Dwarf_Attribute attr;
        Dwarf_Word value;
        file = NULL;
        line = 0;
        if (files && dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_file, &attr), &value) == 0)
            file = absolute(dwarf_filesrc(files, value, NULL, NULL), cu, path, sizeof path);
        if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_line, &attr), &value) == 0)
            line = (int)value;
    }
    free(scopes);
    /* No debug info: the symbol table's name (and the line table's position, if any). */
    return added ? 0 : add_frame(frames, symbol, file, line, module);
}

/* Symbolizing costs about a millisecond an address in CPython (dwarf_getscopes walks the CU). */
static int symbolize_once(walk *w, Dwarf_Addr pc, json_t *frames)
{
    char key[32];
    snprintf(key, sizeof key, "%llx", (unsigned long long)pc);
    json_t *known = json_object_get(w->symbolized, key);
    if (!known && (json_object_set_new(w->symbolized, key, known = json_array()) || symbolize(w->dwfl, pc, known)))
        return -1;
    return json_array_extend(frames, known);
}

static int on_frame(Dwfl_Frame *state, void *arg)
{
    walk *w = arg;
    Dwarf_Addr pc;
    bool activation;
    if (!dwfl_frame_pc(state, &pc, &activation))
        return -1;
    /* A return address is the instruction after the call, maybe in the next function or line;
     * the innermost frame and one a signal interrupted (activations) are at their real pc. */
    w->pcs[w->npcs++] = activation ? pc : pc - 1;
    return w->npcs == w->cap ? DWARF_CB_ABORT : DWARF_CB_OK;
}

static json_t *thread_name(pid_t pid, pid_t tid)
{
    char path[64], name[64] = "";
    snprintf(path, sizeof path, "/proc/%d/task/%d/comm", (int)pid, (int)tid);
    FILE *f = fopen(path, "r");
    if (f) {
        size_t n = fread(name, 1, sizeof name - 1, f);
        name[n && name[n - 1] == '\n' ? n - 1 : n] = '\0';
        fclose(f);
    }
    return json_text(name);
}

static int on_thread(Dwfl_Thread *thread, void *arg)
{
    walk *w = arg;
    pid_t tid = dwfl_thread_tid(thread);
    w->npcs = 0;
    /* Attaches to the thread, unwinds and detaches it. -1 after some frames only says where the
     * unwind stopped (an outer frame without CFI): the frames found so far stand. */
    if (dwfl_thread_getframes(thread, on_frame, w) == -1 && w->npcs == 0) {
        if (!w->first_error) /* e.g. the thread exited meanwhile: the others may still be there */
            set_error(&w->first_error, "cannot unwind thread %d of process %d: %s", (int)tid, (int)w->pid,
                      dwfl_errmsg(-1));
        return DWARF_CB_OK;
    }
    /* json_object_set_new and json_array_append_new take the value even when they fail. */
    json_t *t = json_object(), *frames = json_array();
    int failed = json_object_set_new(t, "frames", frames) || json_object_set_new(t, "tid", json_integer(tid)) ||
                 json_object_set_new(t, "name", thread_name(w->pid, tid));
    if (failed)
        json_decref(t);
    failed = failed || json_array_append_new(w->threads, t);
    for (int i = 0; !failed && i < w->npcs && (int)json_array_size(frames) <= w->max_frames; i++)
        failed = symbolize_once(w, w->pcs[i], frames);
    if (!failed && (int)json_array_size(frames) > w->max_frames) { /* inlined frames can overshoot */
        while ((int)json_array_size(frames) > w->max_frames)
            json_array_remove(frames, json_array_size(frames) - 1);
        failed = add_frame(frames, "...", "", 0, "");
    }
    w->out_of_memory |= failed;
    return failed ? DWARF_CB_ABORT : DWARF_CB_OK;
}

json_t *ft_native_stacks(pid_t pid, int max_frames, char **error)
{
    static char *debuginfo_path; /* NULL: the standard places (.build-id, /usr/lib/debug) */
    static const Dwfl_Callbacks callbacks = {
        .find_elf = dwfl_linux_proc_find_elf,
        .find_debuginfo = dwfl_standard_find_debuginfo,
        .debuginfo_path = &debuginfo_path,
    };
    walk w = {.pid = pid, .max_frames = max_frames < 1 ? 1 : max_frames > 65536 ? 65536 : max_frames};
    const char *failed = NULL; /* what could not be done, with rc saying why */
    int rc = 0;
    w.cap = w.max_frames + 1; /* one more than fits says that frames were cut */
    w.pcs = malloc(w.cap * sizeof *w.pcs);
    w.threads = json_array();
    w.symbolized = json_object();
    w.dwfl = dwfl_begin(&callbacks);
    if (error)
        *error = NULL;
    if (!w.pcs || !w.threads || !w.symbolized || !w.dwfl)
        w.out_of_memory = 1;
    /* Modules from /proc/PID/maps; positive results are errno values, -1 libdwfl's own errors. */
    else if ((rc = dwfl_linux_proc_report(w.dwfl, pid)) || (rc = dwfl_report_end(w.dwfl, NULL, NULL)))
        failed = "read the mappings of";
    /* Only opens /proc/PID/task: each thread is ptrace-attached while it is unwound, and one that
     * was stopped (SIGSTOP) is left stopped. */
    else if ((rc = dwfl_linux_proc_attach(w.dwfl, pid, false)))
        failed = "attach to";
    else if (dwfl_getthreads(w.dwfl, on_thread, &w) == -1 && !w.first_error)
        set_error(&w.first_error, "cannot list the threads of process %d: %s", (int)pid, dwfl_errmsg(-1));

    if (failed)
        set_error(error, "cannot %s process %d: %s", failed, (int)pid, rc > 0 ? strerror(rc) : dwfl_errmsg(-1));
    else if (w.out_of_memory)
        set_error(error, "cannot take the native stacks of process %d: out of memory", (int)pid);
    else if (json_array_size(w.threads) == 0 && error) { /* the first thread's reason stands for all */
        *error = w.first_error ? w.first_error : strdup("no thread of the process could be unwound");
        w.first_error = NULL;
    }
    if (failed || w.out_of_memory || json_array_size(w.threads) == 0) {
        json_decref(w.threads);
        w.threads = NULL;
    }
    json_decref(w.symbolized);
    free(w.first_error);
    free(w.pcs);
    if (w.dwfl)
        dwfl_end(w.dwfl);
    return w.threads;
}

char *ft_native_stacks_text(const json_t *threads)
{
    char *text = NULL;
    size_t len = 0, i, j;
    FILE *out = open_memstream(&text, &len);
    const json_t *t, *f;
    if (!out)
        return NULL;
    json_array_foreach(threads, i, t) {
        fprintf(out, "TID %lld (%s):\n", (long long)json_integer_value(json_object_get(t, "tid")),
                json_string_value(json_object_get(t, "name")) ?: "?");
        json_array_foreach(json_object_get(t, "frames"), j, f) {
            ft_frame fr = ft_frame_from_json(f);
            const char *base = strrchr(fr.module, '/') ? strrchr(fr.module, '/') + 1 : fr.module;
            fprintf(out, "  #%-2zu %s", j, fr.function);
            if (*fr.file && fr.line > 0)
                fprintf(out, " %s:%d", fr.file, fr.line);
            else if (*fr.file)
                fprintf(out, " %s", fr.file);
            if (*base)
                fprintf(out, " (%s)", base);
            fputc('\n', out);
        }
    }
    if (ferror(out) | fclose(out)) { /* both: fclose must run to release the stream */
        free(text);
        return NULL;
    }
    return text;
}
