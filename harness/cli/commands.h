/* The command table: one entry per `ftstress COMMAND`, each implemented in its own cmd_*.c. */
#ifndef FTSTRESS_COMMANDS_H
#define FTSTRESS_COMMANDS_H

typedef struct ft_command {
    const char *name;
    const char *usage;   /* arguments, for the overview */
    const char *summary; /* one line */
    int (*run)(int argc, char **argv);
} ft_command;

extern const ft_command ft_cmd_run, ft_cmd_list, ft_cmd_check, ft_cmd_report, ft_cmd_repro, ft_cmd_build_ext,
    ft_cmd_init, ft_cmd_doctor, ft_cmd_shrink, ft_cmd_triage, ft_cmd_server;

/* The path of the running ftstress binary, for re-spawning itself as a worker. */
const char *ft_self_exe(void);

#endif
