/* Counts calls of a registered type's own C slots (next(it), for loops, a[i], len(a), `in`, repr, hash).
 *
 * Compiled without TSan instrumentation, like exercise_hook.c. Slots raise no sys.monitoring event:
 * `next(it)` is a call of the builtin next, `a[0]` and `for x in it` no call at all. So each slot a
 * registered heap type defines itself (not inherited from its base) is replaced, before the team
 * starts, by a trampoline that counts the call with the type and calls the original. The type's
 * slot wrappers (`it.__next__`) keep the original pointer they were made with, and are counted by
 * exercise_hook.c as before: no call is counted twice. A subclass made later inherits the
 * trampoline, which finds the original on the nearest registered base. Nothing here allocates,
 * locks or touches a reference count. */
#include "exercise_hook.h"

#define MAX_SLOT_TYPES 256

typedef struct slot_entry {
    PyTypeObject *type;
    int index;
    iternextfunc tp_iternext;
    getiterfunc tp_iter;
    reprfunc tp_repr;
    hashfunc tp_hash;
    lenfunc sq_length, mp_length;
    ssizeargfunc sq_item;
    binaryfunc mp_subscript;
    ssizeobjargproc sq_ass_item;
    objobjargproc mp_ass_subscript;
    objobjproc sq_contains;
} slot_entry;

/* Written by the main thread before the team's threads exist; read-only after. */
static slot_entry entries[MAX_SLOT_TYPES];
static int nentries;

static slot_entry *entry_for(PyTypeObject *tp)
{
    for (int i = 0; i < nentries; i++)
        if (entries[i].type == tp)
            return &entries[i];
    return NULL;
}

/* The entry with the original of slot FIELD for an object: its type's, or the nearest base's that
 * has one (a subclass inherited the trampoline). */
#define ORIGINAL(o, field, out)                                                  \
    do {                                                                         \
        (out) = NULL;                                                            \
        for (PyTypeObject *tp_ = Py_TYPE(o); tp_ && !(out); tp_ = tp_->tp_base) { \
            slot_entry *e_ = entry_for(tp_);                                     \
            if (e_ && e_->field)                                                 \
                (out) = e_;                                                      \
        }                                                                        \
    } while (0)

static void lost(void) { PyErr_SetString(PyExc_SystemError, "ftstress: a counted slot lost its original"); }

#define TRAMPOLINE(name, field, ret, fail, params, args)  \
    static ret name params                                \
    {                                                     \
        slot_entry *e;                                    \
        ORIGINAL(o, field, e);                            \
        if (!e) {                                         \
            lost();                                       \
            return fail;                                  \
        }                                                 \
        ft_exercise_hook_enter(e->index);                 \
        ret r = e->field args;                            \
        ft_exercise_hook_leave(e->index);                 \
        return r;                                         \
    }

TRAMPOLINE(count_iternext, tp_iternext, PyObject *, NULL, (PyObject * o), (o))
TRAMPOLINE(count_iter, tp_iter, PyObject *, NULL, (PyObject * o), (o))
TRAMPOLINE(count_repr, tp_repr, PyObject *, NULL, (PyObject * o), (o))
TRAMPOLINE(count_hash, tp_hash, Py_hash_t, -1, (PyObject * o), (o))
TRAMPOLINE(count_sq_length, sq_length, Py_ssize_t, -1, (PyObject * o), (o))
TRAMPOLINE(count_mp_length, mp_length, Py_ssize_t, -1, (PyObject * o), (o))
TRAMPOLINE(count_sq_item, sq_item, PyObject *, NULL, (PyObject * o, Py_ssize_t i), (o, i))
TRAMPOLINE(count_mp_subscript, mp_subscript, PyObject *, NULL, (PyObject * o, PyObject * k), (o, k))
TRAMPOLINE(count_sq_ass_item, sq_ass_item, int, -1, (PyObject * o, Py_ssize_t i, PyObject * v), (o, i, v))
TRAMPOLINE(count_mp_ass_subscript, mp_ass_subscript, int, -1, (PyObject * o, PyObject * k, PyObject * v), (o, k, v))
TRAMPOLINE(count_sq_contains, sq_contains, int, -1, (PyObject * o, PyObject * k), (o, k))

/* Replaces *slot by the trampoline when the type defines it itself (it differs from the base's) and
 * it is not a trampoline already; the original goes to *keep. */
#define PATCH(slot, base_slot, trampoline, keep)                                  \
    do {                                                                          \
        if ((slot) && (slot) != (trampoline) && (slot) != (base_slot)) {          \
            (keep) = (slot);                                                      \
            (slot) = (trampoline);                                                \
        }                                                                         \
    } while (0)

int ft_exercise_hook_count_slots(PyTypeObject *type, int index)
{
    if (!type || !(type->tp_flags & Py_TPFLAGS_HEAPTYPE))
        return 0; /* a static type's slot tables may be shared with other types */
    slot_entry *e = entry_for(type);
    if (e) { /* registered again: the originals are kept, the index is the new one */
        e->index = index;
        return 0;
    }
    if (nentries == MAX_SLOT_TYPES)
        return -1;
    e = &entries[nentries];
    e->type = type;
    e->index = index;
    PyTypeObject *b = type->tp_base;
    PySequenceMethods *bs = b ? b->tp_as_sequence : NULL;
    PyMappingMethods *bm = b ? b->tp_as_mapping : NULL;
    PATCH(type->tp_iternext, b ? b->tp_iternext : NULL, count_iternext, e->tp_iternext);
    if (type->tp_iter != PyObject_SelfIter) /* an iterator's iter(it) is it: no code of its own */
        PATCH(type->tp_iter, b ? b->tp_iter : NULL, count_iter, e->tp_iter);
    PATCH(type->tp_repr, b ? b->tp_repr : NULL, count_repr, e->tp_repr);
    PATCH(type->tp_hash, b ? b->tp_hash : NULL, count_hash, e->tp_hash);
    if (type->tp_as_sequence) {
        PySequenceMethods *s = type->tp_as_sequence;
        PATCH(s->sq_length, bs ? bs->sq_length : NULL, count_sq_length, e->sq_length);
        PATCH(s->sq_item, bs ? bs->sq_item : NULL, count_sq_item, e->sq_item);
        PATCH(s->sq_ass_item, bs ? bs->sq_ass_item : NULL, count_sq_ass_item, e->sq_ass_item);
        PATCH(s->sq_contains, bs ? bs->sq_contains : NULL, count_sq_contains, e->sq_contains);
    }
    if (type->tp_as_mapping) {
        PyMappingMethods *m = type->tp_as_mapping;
        PATCH(m->mp_length, bm ? bm->mp_length : NULL, count_mp_length, e->mp_length);
        PATCH(m->mp_subscript, bm ? bm->mp_subscript : NULL, count_mp_subscript, e->mp_subscript);
        PATCH(m->mp_ass_subscript, bm ? bm->mp_ass_subscript : NULL, count_mp_ass_subscript, e->mp_ass_subscript);
    }
    nentries++;
    return 0;
}
