/* The floor of a helper with the process isolation codex-linux-sandbox gives: new user, mount,
 * PID and IPC namespaces, ids mapped, a fresh /proc, an init that vforks the command and waits,
 * and a parent that waits for the init. No supervisor, no filter, no Landlock, no read-only
 * mounts: what the kernel's namespaces alone cost on this machine. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

static char **command;
static char init_stack[64 * 1024], command_stack[64 * 1024];
static char map_uid[32], map_gid[32];

static int write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t written = write(fd, text, strlen(text));
    close(fd);
    return written == (ssize_t)strlen(text) ? 0 : -1;
}

static int run_command(void *unused) {
    (void)unused;
    execvp(command[0], command);
    _exit(127);
}

static int init(void *unused) {
    (void)unused;
    if (write_file("/proc/self/setgroups", "deny") || write_file("/proc/self/uid_map", map_uid) ||
        write_file("/proc/self/gid_map", map_gid) ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) {
        perror("namespaces-floor");
        return 125;
    }
    int pid = clone(run_command, command_stack + sizeof command_stack, CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) < 0) return 126;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    command = argv + 1;
    snprintf(map_uid, sizeof map_uid, "%d %d 1", getuid(), getuid());
    snprintf(map_gid, sizeof map_gid, "%d %d 1", getgid(), getgid());
    int flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | SIGCHLD;
    int pid = clone(init, init_stack + sizeof init_stack, flags, NULL);
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) < 0) {
        perror("namespaces-floor");
        return 125;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
