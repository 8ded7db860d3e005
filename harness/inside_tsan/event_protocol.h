/* The worker -> supervisor event protocol: every event, its fields, and what it means for the run.
 *
 * Events travel as JSON lines on FT_FD_EVENTS (worker_channel.h), except "report", which the TSan
 * hook writes on FT_FD_REPORTS. Each line is one object whose "ev" member is the event's name. The
 * worker encodes with ft_event_send (worker/worker_python.c), the TSan hook writes "report" by hand
 * (it may not allocate), and the supervisor side decodes with ft_event_decode
 * (supervisor/event_decode.c). This header is the only place an event name is spelled; it holds no
 * code, so the uninstrumented hook may include it. docs/architecture.md has the same table. */
#ifndef FTSTRESS_EVENT_PROTOCOL_H
#define FTSTRESS_EVENT_PROTOCOL_H

/* Names as literals, so the hook can paste them into the JSON it writes without a call. */
#define FT_EVNAME_READY "ready"
#define FT_EVNAME_GIL "gil"
#define FT_EVNAME_COMPILED "compiled"
#define FT_EVNAME_SYNTAX "syntax"
#define FT_EVNAME_FATAL "fatal"
#define FT_EVNAME_ERROR "error"
#define FT_EVNAME_OUTCOME "outcome"
#define FT_EVNAME_PERTURB "perturb"
#define FT_EVNAME_EXERCISE_TARGETS "exercise_targets"
#define FT_EVNAME_EXERCISED "exercised"
#define FT_EVNAME_STOPPED "stopped"
#define FT_EVNAME_DONE "done"
#define FT_EVNAME_REPORT "report"
#define FT_EVNAME_LOST "lost"

/* X(ID, NAME, ENDS, FIELDS). ENDS says what the event means for the worker's run:
 *   FT_ENDS_NOTHING  nothing: more events follow;
 *   FT_ENDS_FATAL    the scenario cannot run (the supervisor stops its rounds and marks it not run or
 *                  a scenario error); "gil" is fatal only when `enabled` and not `allowed`;
 *   FT_ENDS_RUN      the worker finished what it was asked to do (its last event). */
#define FT_EVENT_TABLE(X)                                                                                       \
    X(READY, FT_EVNAME_READY, FT_ENDS_NOTHING, "startup_seconds, pid: imports and setup_once done")              \
    X(GIL, FT_EVNAME_GIL, FT_ENDS_FATAL_IF, "enabled, allowed, targets[], by?: the GIL after the imports")      \
    X(COMPILED, FT_EVNAME_COMPILED, FT_ENDS_RUN, "ok: a compile-check worker checked every block")            \
    X(SYNTAX, FT_EVNAME_SYNTAX, FT_ENDS_FATAL, "block, scenario, line, column, message: a block does not compile") \
    X(FATAL, FT_EVNAME_FATAL, FT_ENDS_FATAL,                                                                     \
      "kind (interpreter|import|setup_once|scenario|...), message, traceback?, round, thread, type, frame, line") \
    X(ERROR, FT_EVNAME_ERROR, FT_ENDS_NOTHING,                                                                   \
      "kind (exception|check|setup|teardown|arbiter|...), round, thread, type, frame, line, message, "         \
      "traceback, raised_by?: a Python exception in a round")                                                  \
    X(OUTCOME, FT_EVNAME_OUTCOME, FT_ENDS_NOTHING, "round, value: the arbiter's value, as its repr")             \
    X(PERTURB, FT_EVNAME_PERTURB, FT_ENDS_NOTHING, "round, mode, digest, threads: a round's perturbation plan")   \
    X(EXERCISE_TARGETS, FT_EVNAME_EXERCISE_TARGETS, FT_ENDS_NOTHING, "modules[], functions[], dropped")        \
    X(EXERCISED, FT_EVNAME_EXERCISED, FT_ENDS_NOTHING, "pid, final, calls{}, roles{}: call counts so far")       \
    X(STOPPED, FT_EVNAME_STOPPED, FT_ENDS_RUN, "why: setup_once failed; its error was sent before")            \
    X(DONE, FT_EVNAME_DONE, FT_ENDS_RUN, "rounds, seconds, skew_ns_median, ignored{}: the rounds ran")         \
    X(REPORT, FT_EVNAME_REPORT, FT_ENDS_NOTHING,                                                                 \
      "type, round, phase, dups, mops[], locs[], threads[], stacks[], *_cut: a TSan report (reports fd)")       \
    X(LOST, FT_EVNAME_LOST, FT_ENDS_NOTHING, "message: an event the worker could not encode")

typedef enum ft_event_end { FT_ENDS_NOTHING, FT_ENDS_FATAL, FT_ENDS_FATAL_IF, FT_ENDS_RUN } ft_event_end;

typedef enum ft_event {
    FT_EV_UNKNOWN = 0, /* a line without a known "ev": kept in events.jsonl, otherwise ignored */
#define FT_EV_ENUM(id, name, ends, fields) FT_EV_##id,
    FT_EVENT_TABLE(FT_EV_ENUM)
#undef FT_EV_ENUM
    FT_EV_COUNT
} ft_event;

#endif
