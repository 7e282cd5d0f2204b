/* secrets.c — which of the host's secrets exist, to be masked in `brick do`
 * (the host's root is the sandbox's: read-only is not enough, a process with
 * CAP_DAC_OVERRIDE reads every file). Homes and /root are hidden by build.c
 * (tmpfs), /tmp and /run are private already; these are the rest. */
#include "compose/compose.h"
#include "core/cleanup.h"
#include "core/strv.h"
#include "core/util.h"

#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>

static const char *const secret_paths[] = {
    "/etc/shadow",
    "/etc/shadow-",
    "/etc/gshadow",
    "/etc/gshadow-",                          /* password hashes */
    "/etc/ssl/private",                       /* TLS private keys */
    "/etc/letsencrypt",                       /* certbot's keys */
    "/etc/krb5.keytab",                       /* Kerberos host key */
    "/etc/NetworkManager/system-connections", /* Wi-Fi/VPN passwords */
    "/etc/wpa_supplicant",
    "/etc/wireguard", /* VPN private keys */
    "/etc/ipsec.secrets",
    "/etc/ppp/chap-secrets",
    "/etc/ppp/pap-secrets",
    "/etc/sudoers",
    "/etc/sudoers.d", /* who may become root */
    "/var/backups",   /* shadow.bak, gshadow.bak */
    "/var/lib/lightdm",
    "/var/lib/gdm3",
    "/var/lib/sddm", /* display managers' X cookies */
    "/var/spool/cron",
    "/var/mail",
    "/var/spool/mail", /* other users' crontabs, mail */
    "/var/lib/sss",
    "/var/lib/docker",
    "/var/lib/containers", /* credential caches, images */
    "/etc/docker",
    "/etc/containerd",                  /* daemon keys and registry auth */
    "/etc/security/opasswd",            /* old password hashes */
    "/var/cache/debconf/passwords.dat", /* installers' answers */
    "/var/log/btmp",
    "/var/log/auth.log",
    "/var/log/secure", /* failed logins: mistyped passwords */
    "/var/lib/cni",
    "/var/lib/kubelet",
    "/etc/kubernetes", /* cluster credentials */
    "/var/lib/mysql",
    "/var/lib/postgresql", /* databases */
};

/* Homes of the host's login accounts outside /home (hidden whole): a
 * postgres or a service user with a shell. Never a system tree: only paths
 * two levels deep or more, outside the directories programs run from. */
static void login_homes(struct compose_opts *o)
{
    static const char *const system[] = {"/usr", "/bin", "/sbin", "/lib",  "/etc", "/proc", "/sys",
                                         "/dev", "/run", "/tmp",  "/boot", "/opt", "/snap"};
    _cleanup_fclose_ FILE *f = fopen("/etc/passwd", "re");
    char line[1024];
    while (f && fgets(line, sizeof(line), f)) {
        char *field[7] = {0};
        char *p = line;
        size_t n = 0;
        for (; n < 7 && p; n++) {
            field[n] = strsep(&p, ":");
        }
        if (n < 7 || !field[5] || !field[6] || streq(field[2], "0"))
            continue;
        field[6][strcspn(field[6], "\n")] = '\0';
        const char *home = field[5], *shell = field[6];
        if (home[0] != '/' || strstr(shell, "nologin") || strstr(shell, "false") || !strchr(home + 1, '/') ||
            startswith(home, "/home/") || strstr(home, "/.."))
            continue;
        bool sys = false;
        for (size_t i = 0; i < sizeof(system) / sizeof(system[0]) && !sys; i++)
            sys = startswith(home, system[i]) && (home[strlen(system[i])] == '/' || !home[strlen(system[i])]);
        struct stat st;
        bool listed = false;
        for (char **v = o->secrets; v && *v && !listed; v++)
            listed = streq(*v, home);
        if (!sys && !listed && lstat(home, &st) == 0 && S_ISDIR(st.st_mode))
            strv_push(&o->secrets, home);
    }
}

static const char *const secret_globs[] = {
    "/etc/ssh/ssh_host_*_key", /* SSH host private keys (the .pub files stay) */
};

void compose_find_secrets(struct compose_opts *o)
{
    struct stat st;
    for (size_t i = 0; i < sizeof(secret_paths) / sizeof(secret_paths[0]); i++)
        if (lstat(secret_paths[i], &st) == 0 && !S_ISLNK(st.st_mode))
            strv_push(&o->secrets, secret_paths[i]);
    for (size_t i = 0; i < sizeof(secret_globs) / sizeof(secret_globs[0]); i++) {
        glob_t g;
        if (glob(secret_globs[i], GLOB_NOSORT, NULL, &g) != 0)
            continue;
        for (size_t j = 0; j < g.gl_pathc; j++)
            if (lstat(g.gl_pathv[j], &st) == 0 && S_ISREG(st.st_mode))
                strv_push(&o->secrets, g.gl_pathv[j]);
        globfree(&g);
    }
    login_homes(o);
}
