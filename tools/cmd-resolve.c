/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd-resolve.c - the device resolution command of storvirt: a disk spec
 * (JSON with VDSM's drive keys) becomes the libvirt <disk> element that
 * attaches it on this host, or a VM's drives a <devices> element
 * (storvirt/resolve.h).
 *
 *   storvirt resolve [--dict] [--no-refresh] SPEC.json
 *   storvirt resolve --vm [--dict] [--no-refresh] VM.json
 *
 * With --json the result carries the XML under "xml", or with --dict
 * the device dict under "device" (one drive) or the list under
 * "devices" (--vm).  When drives of a VM have problems, every one of
 * them is reported, one per line, and the exit status is 1.  What was
 * left out (an optional drive that cannot be reached, a LUN's serial) is
 * a warning on stderr, and under "warnings" with --json.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/*
 * The error message of a VM with problems, after the file's name: the
 * problem itself when there is one, else a count and one problem per
 * line.  It may be longer than cli_error()'s buffer, so it is kept here
 * until the process exits.
 */
static char *vm_error_msg;

static int vm_problems_error(struct cli *cli, const char *what, char **problems) {
        size_t n = 0, size = 0;
        char *buf = NULL;
        FILE *f;

        while (problems[n])
                n++;
        f = open_memstream(&buf, &size);
        if (!f)
                return cli_error(cli, ENOMEM, "out of memory");
        if (n == 1)
                fprintf(f, "%s: %s", what, problems[0]);
        else
                fprintf(f, "%s: %zu problems:", what, n);
        for (size_t i = 0; n > 1 && i < n; i++)
                fprintf(f, "\n%s", problems[i]);
        if (fclose(f) != 0 || !buf) {
                free(buf);
                return cli_error(cli, ENOMEM, "out of memory");
        }
        free(vm_error_msg);
        vm_error_msg = buf;
        cli->error_msg = vm_error_msg;
        return -EINVAL;
}

/* Prints a result of the library on stdout, ending with a newline. */
static void print_text(const char *s) {
        size_t len = strlen(s);

        fputs(s, stdout);
        if (len == 0 || s[len - 1] != '\n')
                putchar('\n');
}

/* The library's warnings, kept while one drive is resolved (NULL-terminated). */
struct warnings {
        char **list;
        size_t n;
};

static void keep_warning(storvirt_ctx *ctx, int priority, const char *msg, void *userdata) {
        struct warnings *w = userdata;
        char **l;

        if (priority > STORVIRT_LOG_WARNING)
                return;
        l = realloc(w->list, (w->n + 2) * sizeof(*l));
        if (!l)
                return;
        w->list = l;
        if ((l[w->n] = strdup(msg)))
                w->n++;
        l[w->n] = NULL;
}

static int resolve_one(struct cli *cli, storvirt_ctx *ctx, const char *what, const char *json,
                       uint32_t flags, char **ret, char ***ret_warnings) {
        storvirt_disk_spec *spec = NULL;
        struct warnings w = {};
        bool hook;
        int r;

        r = storvirt_disk_spec_from_json(json, &spec, 0);
        if (r < 0) {
                const char *msg = storvirt_error_message();
                return cli_error(cli, -r, "%s: %s", what, msg ? msg : strerror(-r));
        }
        /* a LUN's serial left out is a warning of the library's log (shown with --debug) */
        hook = storvirt_ctx_get_log_priority(ctx) == 0 &&
               storvirt_ctx_set_log_fn(ctx, keep_warning, &w, NULL) >= 0;
        if (hook)
                storvirt_ctx_set_log_priority(ctx, STORVIRT_LOG_WARNING);
        r = storvirt_resolve_disk(ctx, spec, ret, flags);
        if (hook) {
                storvirt_ctx_set_log_priority(ctx, 0);
                storvirt_ctx_set_log_fn(ctx, NULL, NULL, NULL);
        }
        storvirt_disk_spec_free(spec);
        *ret_warnings = w.list;
        return r;
}

static int resolve_vm(struct cli *cli, storvirt_ctx *ctx, const char *what, const char *json,
                      uint32_t flags, char **ret, char ***ret_warnings) {
        char **problems = NULL;
        int r;

        r = storvirt_resolve_vm(ctx, json, ret, &problems, flags | STORVIRT_RESOLVE_WARNINGS);
        if (r >= 0) {
                *ret_warnings = problems;       /* on success: the warnings */
                return r;
        }
        if (problems && problems[0])
                r = vm_problems_error(cli, what, problems);
        storvirt_strv_free(problems);
        return r;
}

static const struct cli_opt opts_resolve[] = {
        CLI_BOOL_OPT("vm", "FILE is a VM's drives: print a <devices> element"),
        CLI_FLAG_OPT("dict", STORVIRT_RESOLVE_DICT, "print VDSM's device dict instead of XML"),
        CLI_FLAG_OPT("no-refresh", STORVIRT_RESOLVE_NO_REFRESH,
                     "do not discover LUNs again for an unknown GUID or UUID"),
        CLI_FLAG_OPT("leases", STORVIRT_RESOLVE_LEASES,
                     "add the <lease> of each leased vDisk (libvirt's sanlock lock driver)"),
        CLI_ARG("FILE", "the disk spec or the VM, JSON ('-': standard input)"),
        CLI_END,
};

static int cmd_resolve(struct cli *cli, const struct cli_args *a) {
        const char *path = cli_str(a, "FILE"), *what;
        char *json = NULL, *out = NULL, **warnings = NULL;
        uint32_t flags = cli_flags(a);
        bool vm = cli_given(a, "vm");
        storvirt_ctx *ctx;
        int r;

        if (!*path)
                return cli_usage(cli, "%s: empty file name", a->cmd->name);
        what = strcmp(path, "-") == 0 ? "<stdin>" : path;

        r = cli_read_file(cli, path, &json);
        if (r < 0)
                return r;
        r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = vm ? resolve_vm(cli, ctx, what, json, flags, &out, &warnings)
                       : resolve_one(cli, ctx, what, json, flags, &out, &warnings);
        free(json);
        for (char **w = warnings; w && *w; w++)
                fprintf(stderr, "storvirt: warning: %s\n", *w);
        if (r < 0) {
                storvirt_strv_free(warnings);
                return r;
        }
        if (cli->json && warnings && warnings[0])
                cli_field_strv(cli, "warnings", "Warnings:", warnings);
        storvirt_strv_free(warnings);

        if (!cli->json)
                print_text(out);
        else if (!(flags & STORVIRT_RESOLVE_DICT))
                cli_field_str(cli, "xml", "XML:", out);
        else if (vm)
                /* {"devices": [...]}: its member joins the result. */
                r = cli_field_json(cli, NULL, out);
        else
                r = cli_field_json(cli, "device", out);
        storvirt_free(out);
        return r < 0 ? r : 0;
}

const struct cli_command cli_commands_resolve[] = {
        { "resolve", "resolve a disk spec (or a VM's drives) to libvirt <disk> XML",
          "FILE (\"-\": standard input) is one drive as a JSON object with VDSM's\n"
          "drive keys (GUID, UUID, poolID/domainID/imageID/volumeID, pool and\n"
          "volume, path, iscsi, vdisk; device, iface, index, format, bootOrder,\n"
          "address, propagateErrors, ...; see storvirt_disk_spec_new(3)).  The\n"
          "storage is found on this host, the identity of a LUN's device checked\n"
          "again, and the <disk> element printed.  With --vm, FILE is a VM:\n"
          "{\"drives\": [...]}, VDSM's {\"devices\": [...]} or a list of drives,\n"
          "and a <devices> element is printed; every problem of every drive is\n"
          "reported, one per line; an optional drive that cannot be reached is\n"
          "left out with a warning on stderr (JSON member \"warnings\").  --dict\n"
          "prints the VDSM-style device dict instead of XML (JSON members\n"
          "\"device\", or \"devices\" with --vm; without --dict the JSON member\n"
          "\"xml\").  --no-refresh does not discover LUNs again when a GUID or\n"
          "UUID is not known.",
          opts_resolve, cmd_resolve },
        { NULL, NULL, NULL, NULL, NULL },
};
