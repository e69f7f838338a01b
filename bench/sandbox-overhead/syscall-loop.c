/* syscall-loop: the per-call cost a sandbox adds, measured inside the process.
 *
 *   syscall-loop connect N DIR   N AF_UNIX connects (and accepts) to a socket it binds in DIR
 *   syscall-loop plain N         N calls that involve no socket (getppid + a stat of "/")
 *
 * Prints the mean nanoseconds per iteration; run it inside and outside the sandbox and compare. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    long n = atol(argv[2]);
    if (!strcmp(argv[1], "connect") && argc > 3) {
        struct sockaddr_un un = {.sun_family = AF_UNIX};
        snprintf(un.sun_path, sizeof un.sun_path, "%s/loop.sock", argv[3]);
        unlink(un.sun_path);
        int server = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (bind(server, (struct sockaddr *)&un, sizeof un) || listen(server, 16)) {
            perror("bind");
            return 1;
        }
        double start = now_ns();
        for (long i = 0; i < n; i++) {
            int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (connect(fd, (struct sockaddr *)&un, sizeof un)) {
                perror("connect");
                return 1;
            }
            close(accept(server, NULL, NULL));
            close(fd);
        }
        printf("%.0f\n", (now_ns() - start) / n);
        unlink(un.sun_path);
        return 0;
    }
    if (!strcmp(argv[1], "plain")) {
        struct stat st;
        double start = now_ns();
        for (long i = 0; i < n; i++) {
            getppid();
            stat("/", &st);
        }
        printf("%.0f\n", (now_ns() - start) / n);
        return 0;
    }
    return 2;
}
