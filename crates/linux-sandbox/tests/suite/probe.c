/* probe: small actions the sandbox tests run inside (and, as a control, outside) the sandbox.
 * Each prints one word per attempt: "ok" or the errno name, so the test can check both the
 * result seen inside and the effect seen outside. Exit 0 when every attempt succeeded. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/io_uring.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/keyctl.h>
#include <unistd.h>

static int failures;

static void report(const char *what, int ok) {
    if (ok) {
        printf("%s:ok\n", what);
    } else {
        printf("%s:%s\n", what, strerrorname_np(errno));
        failures++;
    }
}

static socklen_t inet_addr_for(int family, int port, struct sockaddr_storage *ss) {
    memset(ss, 0, sizeof *ss);
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return sizeof *in;
    }
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    in6->sin6_addr = in6addr_loopback;
    return sizeof *in6;
}

static void net(int family, int type, int port) {
    struct sockaddr_storage ss;
    socklen_t len = inet_addr_for(family, port, &ss);
    int fd = socket(family, type, 0);
    if (fd < 0) {
        report("socket", 0);
        return;
    }
    if (type == SOCK_STREAM) {
        report("connect", connect(fd, (struct sockaddr *)&ss, len) == 0);
    } else {
        report("sendto", sendto(fd, "x", 1, 0, (struct sockaddr *)&ss, len) == 1);
    }
}

/* One io_uring submission, waited for; returns the completion's result (or -errno). */
struct ring {
    int fd;
    unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_mask;
    struct io_uring_sqe *sqes;
    struct io_uring_cqe *cqes;
};

static int ring_submit(struct ring *r, const struct io_uring_sqe *sqe) {
    unsigned tail = *r->sq_tail, index = tail & *r->sq_mask;
    r->sqes[index] = *sqe;
    r->sq_array[index] = index;
    __atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
    if (syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0) return -errno;
    unsigned head = __atomic_load_n(r->cq_head, __ATOMIC_ACQUIRE);
    int res = r->cqes[head & *r->cq_mask].res;
    __atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
    return res;
}

/* TCP connect done entirely by io_uring (IORING_OP_SOCKET + IORING_OP_CONNECT). */
static void uring_connect(int port) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    struct ring r;
    r.fd = syscall(__NR_io_uring_setup, 4, &p);
    if (r.fd < 0) {
        report("io_uring_setup", 0);
        return;
    }
    char *sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned), PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_POPULATE, r.fd, IORING_OFF_SQ_RING);
    char *cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe),
                    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r.fd, IORING_OFF_CQ_RING);
    r.sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_POPULATE, r.fd, IORING_OFF_SQES);
    if (sq == MAP_FAILED || cq == MAP_FAILED || r.sqes == MAP_FAILED) {
        report("mmap", 0);
        return;
    }
    r.sq_tail = (unsigned *)(sq + p.sq_off.tail);
    r.sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
    r.sq_array = (unsigned *)(sq + p.sq_off.array);
    r.cq_head = (unsigned *)(cq + p.cq_off.head);
    r.cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
    r.cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);

    struct io_uring_sqe sqe;
    memset(&sqe, 0, sizeof sqe);
    sqe.opcode = IORING_OP_SOCKET;
    sqe.fd = AF_INET;
    sqe.off = SOCK_STREAM;
    int sock = ring_submit(&r, &sqe);
    if (sock < 0) {
        errno = -sock;
        report("uring_socket", 0);
        return;
    }
    struct sockaddr_storage ss;
    socklen_t len = inet_addr_for(AF_INET, port, &ss);
    memset(&sqe, 0, sizeof sqe);
    sqe.opcode = IORING_OP_CONNECT;
    sqe.fd = sock;
    sqe.addr = (uint64_t)(uintptr_t)&ss;
    sqe.off = len;
    int res = ring_submit(&r, &sqe);
    errno = -res;
    report("uring_connect", res == 0);
}

/* AF_UNIX stream socketpair: send/recv, sendto/recvfrom, sendmsg/recvmsg all work. */
static void unix_pair(void) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        report("socketpair", 0);
        return;
    }
    char buf[8] = {0};
    report("send", send(sv[0], "a", 1, 0) == 1 && recv(sv[1], buf, sizeof buf, 0) == 1 && buf[0] == 'a');
    report("sendto", sendto(sv[1], "b", 1, 0, NULL, 0) == 1 &&
                         recvfrom(sv[0], buf, sizeof buf, 0, NULL, NULL) == 1 && buf[0] == 'b');
    struct iovec iov = {.iov_base = "c", .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    int sent = sendmsg(sv[0], &msg, 0) == 1;
    struct iovec in = {.iov_base = buf, .iov_len = sizeof buf};
    struct msghdr got = {.msg_iov = &in, .msg_iovlen = 1};
    report("sendmsg", sent && recvmsg(sv[1], &got, 0) == 1 && buf[0] == 'c');
    int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    report("seqpacket", fd >= 0);
}

static void unix_dgram(void) {
    int sv[2];
    report("dgram_socket", socket(AF_UNIX, SOCK_DGRAM, 0) >= 0);
    report("dgram_socketpair", socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) == 0);
    report("raw_socket", socket(AF_UNIX, SOCK_RAW, 0) >= 0);
}

static void unix_connect(const char *path, int abstract) {
    struct sockaddr_un un;
    memset(&un, 0, sizeof un);
    un.sun_family = AF_UNIX;
    socklen_t len;
    if (abstract) {
        strncpy(un.sun_path + 1, path, sizeof un.sun_path - 2);
        len = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(path);
    } else {
        strncpy(un.sun_path, path, sizeof un.sun_path - 1);
        len = sizeof un;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    report("connect", fd >= 0 && connect(fd, (struct sockaddr *)&un, len) == 0);
}

/* Binds and listens at `path`, then connects to it: a socket of the command's own. */
static void self_connect(const char *path) {
    struct sockaddr_un un;
    memset(&un, 0, sizeof un);
    un.sun_family = AF_UNIX;
    strncpy(un.sun_path, path, sizeof un.sun_path - 1);
    int server = socket(AF_UNIX, SOCK_STREAM, 0);
    if (bind(server, (struct sockaddr *)&un, sizeof un) != 0 || listen(server, 4) != 0) {
        report("bind", 0);
        return;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    report("connect", connect(fd, (struct sockaddr *)&un, sizeof un) == 0);
    unlink(path);
}

/* Listens at `dir`/full (backlog 0, never accepting until the end) and at `dir`/free; fills
 * `full`'s backlog, starts a blocking connect to it in a child (it waits), then connects to
 * `free`: that must not wait for the first (the supervisor answers on). Then accepts, which lets
 * the child's connect through. Reports "free" and "waiting" (the child connected once accepted). */
static int listen_at(struct sockaddr_un *un, const char *dir, const char *name, int backlog) {
    memset(un, 0, sizeof *un);
    un->sun_family = AF_UNIX;
    snprintf(un->sun_path, sizeof un->sun_path, "%s/%s", dir, name);
    unlink(un->sun_path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)un, sizeof *un) != 0 || listen(fd, backlog) != 0) return -1;
    return fd;
}

static void full_backlog(const char *dir) {
    struct sockaddr_un full, free_;
    int full_fd = listen_at(&full, dir, "full", 0), free_fd = listen_at(&free_, dir, "free", 4);
    if (full_fd < 0 || free_fd < 0) {
        report("listen", 0);
        return;
    }
    int first = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(first, (struct sockaddr *)&full, sizeof full) != 0) {
        report("first", 0);
        return;
    }
    pid_t child = fork();
    if (child == 0) {
        int waiting = socket(AF_UNIX, SOCK_STREAM, 0);
        _exit(connect(waiting, (struct sockaddr *)&full, sizeof full) == 0 ? 0 : 1);
    }
    usleep(200 * 1000);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int other = socket(AF_UNIX, SOCK_STREAM, 0);
    int connected = connect(other, (struct sockaddr *)&free_, sizeof free_) == 0;
    clock_gettime(CLOCK_MONOTONIC, &end);
    long ms = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1000000;
    report("free", connected && ms < 100);
    int status = -1;
    report("still-waiting", waitpid(child, &status, WNOHANG) == 0);
    close(accept(full_fd, NULL, NULL));
    waitpid(child, &status, 0);
    report("waiting", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    unlink(full.sun_path);
    unlink(free_.sun_path);
}

/* Receives one fd (SCM_RIGHTS) from the Unix socket at `path`, then connects it to loopback
 * `port`: a TCP socket made outside reaches the sandbox, and only Landlock's TCP rules remain. */
static void connect_received(const char *path, int port) {
    struct sockaddr_un un;
    memset(&un, 0, sizeof un);
    un.sun_family = AF_UNIX;
    strncpy(un.sun_path, path, sizeof un.sun_path - 1);
    int unix_fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (unix_fd < 0 || connect(unix_fd, (struct sockaddr *)&un, sizeof un) != 0) {
        report("unix_connect", 0);
        return;
    }
    char byte;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                         .msg_controllen = sizeof control.buf};
    struct cmsghdr *cmsg;
    if (recvmsg(unix_fd, &msg, 0) != 1 || (cmsg = CMSG_FIRSTHDR(&msg)) == NULL ||
        cmsg->cmsg_type != SCM_RIGHTS) {
        report("recv_fd", 0);
        return;
    }
    int tcp;
    memcpy(&tcp, CMSG_DATA(cmsg), sizeof tcp);
    struct sockaddr_storage ss;
    socklen_t len = inet_addr_for(AF_INET, port, &ss);
    report("connect", connect(tcp, (struct sockaddr *)&ss, len) == 0);
}

static void trace(pid_t pid) {
    long ok = ptrace(PTRACE_ATTACH, pid, 0, 0) == 0;
    report("attach", ok);
    if (ok) ptrace(PTRACE_DETACH, pid, 0, 0);
    char byte;
    struct iovec local = {.iov_base = &byte, .iov_len = 1};
    /* The address hardly matters: permission is checked before any memory is touched. */
    struct iovec remote = {.iov_base = (void *)0x400000, .iov_len = 1};
    errno = 0;
    ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
    report("vm_readv", n >= 0 || errno == EFAULT);
}

static void metadata(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) {
        report("stat", 0);
        return;
    }
    report("chmod", chmod(path, 0777) == 0);
    report("chown", chown(path, st.st_uid, st.st_gid) == 0);
    struct timeval times[2] = {{.tv_sec = 1000000000}, {.tv_sec = 1000000000}};
    report("utimes", utimes(path, times) == 0);
    report("setxattr", setxattr(path, "user.codex", "x", 1, 0) == 0);
}

#ifdef __x86_64__
/* The same socket() call through the x32 ABI, then a getpid through the i386 one (int 0x80). */
static void foreign_abis(void) {
    long fd = syscall(0x40000000 | __NR_socket, AF_INET, SOCK_STREAM, 0);
    report("x32_socket", fd >= 0);
    long pid;
    __asm__ volatile("int $0x80" : "=a"(pid) : "a"(20) : "memory");
    errno = pid < 0 ? (int)-pid : 0;
    report("i386_getpid", pid == getpid());
}
#endif


/* TIOCSTI: pushes each byte of `text` into the input queue of the terminal on stdin. */
static void tiocsti(const char *text) {
    int ok = 1;
    for (const char *c = text; *c && ok; c++) ok = ioctl(0, TIOCSTI, c) == 0;
    report("tiocsti", ok);
    report("dev_tty", open("/dev/tty", O_RDWR) >= 0);
}

/* The kernel keyrings of the caller: read and overwrite the session keyring's "codex-secret",
 * plant a key there, unlink the secret, and give the parent a session keyring of ours. */
static void keyrings(void) {
    long secret = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, "user", "codex-secret", 0);
    char buf[64];
    report("read", syscall(SYS_keyctl, KEYCTL_READ, secret, buf, sizeof buf) >= 0);
    report("update", syscall(SYS_keyctl, KEYCTL_UPDATE, secret, "pwned", 5) == 0);
    report("add", syscall(SYS_add_key, "user", "codex-planted", "x", 1, KEY_SPEC_SESSION_KEYRING) >= 0);
    report("unlink", syscall(SYS_keyctl, KEYCTL_UNLINK, secret, KEY_SPEC_SESSION_KEYRING) == 0);
    int joined = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "codex-evil") >= 0;
    report("to_parent", joined && syscall(SYS_keyctl, KEYCTL_SESSION_TO_PARENT) == 0);
}

/* Puts "codex-secret" = "s3cret" in a fresh session keyring of this process, then execs argv. */
static int with_keyring(char **argv) {
    if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "codex-test") < 0 ||
        syscall(SYS_add_key, "user", "codex-secret", "s3cret", 6, KEY_SPEC_SESSION_KEYRING) < 0) {
        perror("probe: keyring");
        return 2;
    }
    execv(argv[0], argv);
    perror("probe: execv");
    return 2;
}

/* What the session keyring holds now: its name, the secret, and whether a key was planted. */
static void key_check(void) {
    char desc[128] = "";
    syscall(SYS_keyctl, KEYCTL_DESCRIBE, KEY_SPEC_SESSION_KEYRING, desc, sizeof desc);
    char *name = strrchr(desc, ';');
    printf("session:%s\n", name ? name + 1 : desc);
    long secret = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, "user", "codex-secret", 0);
    char buf[64] = "";
    long n = secret < 0 ? -1 : syscall(SYS_keyctl, KEYCTL_READ, secret, buf, sizeof buf - 1);
    printf("secret:%s\n", n >= 0 ? buf : "gone");
    long planted = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, "user", "codex-planted", 0);
    printf("planted:%s\n", planted >= 0 ? "yes" : "no");
}

/* SysV IPC objects made outside, by id: write into the shared memory, send a message,
 * raise the semaphore; then try to leave a new segment behind. */
static void sysv(int shm, int msg, int sem) {
    char *mem = shmat(shm, NULL, 0);
    int attached = mem != (void *)-1;
    if (attached) memcpy(mem, "pwned", 5);
    report("shm", attached);
    struct { long type; char text[1]; } message = {1, {'x'}};
    report("msg", msgsnd(msg, &message, 1, IPC_NOWAIT) == 0);
    struct sembuf up = {.sem_num = 0, .sem_op = 1, .sem_flg = 0};
    report("sem", semop(sem, &up, 1) == 0);
    report("create", shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600) >= 0);
}

/* Scheduling and limits of another process. */
static void other_process(pid_t pid) {
    struct rlimit cpu = {.rlim_cur = 1, .rlim_max = 1};
    report("prlimit", prlimit(pid, RLIMIT_CPU, &cpu, NULL) == 0);
    report("setpriority", setpriority(PRIO_PROCESS, pid, 19) == 0);
    report("ioprio_set", syscall(SYS_ioprio_set, 1, pid, (3 << 13) | 7) == 0);
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    report("sched_setaffinity", sched_setaffinity(pid, sizeof set, &set) == 0);
}

/* setuid/setgid bits, by chmod, fchmodat and a creating open. */
static void setid(const char *existing, const char *created) {
    report("chmod", chmod(existing, 04755) == 0);
    report("fchmodat", fchmodat(AT_FDCWD, existing, 02755, 0) == 0);
    int fd = open(created, O_CREAT | O_WRONLY, 04755);
    report("open", fd >= 0);
}

/* A connect whose address another thread flips between a path inside and one outside. */
static struct sockaddr_un race_addr;
static const char *race_paths[2];
static volatile int racing = 1;

static void *flip(void *unused) {
    (void)unused;
    for (unsigned i = 0; racing; i++) strcpy(race_addr.sun_path, race_paths[i & 1]);
    return NULL;
}

static void race(const char *inside, const char *outside, int rounds) {
    race_paths[0] = inside;
    race_paths[1] = outside;
    race_addr.sun_family = AF_UNIX;
    strcpy(race_addr.sun_path, inside);
    pthread_t thread;
    pthread_create(&thread, NULL, flip, NULL);
    int connected = 0;
    for (int i = 0; i < rounds; i++) {
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (connect(fd, (struct sockaddr *)&race_addr, sizeof race_addr) == 0) connected++;
        close(fd);
    }
    racing = 0;
    pthread_join(thread, NULL);
    printf("race:%d\n", connected);
}

/* Installs `code` as a seccomp filter, then runs argv under it. */
static int filter_then_exec(struct sock_filter *code, unsigned short len, char **argv) {
    struct sock_fprog prog = {.len = len, .filter = code};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
        perror("probe: seccomp");
        return 2;
    }
    execv(argv[0], argv);
    perror("probe: execv");
    return 2;
}

/* Runs argv with `nr` failing with errno when (arg0 & mask) != 0: e.g. clone(CLONE_NEWUSER). */
static int deny_flag_then_exec(int nr, unsigned mask, int err, char **argv) {
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, mask, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | err),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    return filter_then_exec(code, sizeof code / sizeof code[0], argv);
}

/* Runs argv with one syscall failing with errno: no seccomp filter, no Landlock, and so on. */
static int deny_syscall_then_exec(int nr, int err, char **argv) {
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | err),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    return filter_then_exec(code, sizeof code / sizeof code[0], argv);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2) return 2;
    const char *cmd = argv[1];
    const char *arg = argc > 2 ? argv[2] : "";
    if (!strcmp(cmd, "tcp4")) net(AF_INET, SOCK_STREAM, atoi(arg));
    else if (!strcmp(cmd, "tcp6")) net(AF_INET6, SOCK_STREAM, atoi(arg));
    else if (!strcmp(cmd, "udp4")) net(AF_INET, SOCK_DGRAM, atoi(arg));
    else if (!strcmp(cmd, "udp6")) net(AF_INET6, SOCK_DGRAM, atoi(arg));
    else if (!strcmp(cmd, "uring-tcp4")) uring_connect(atoi(arg));
    else if (!strcmp(cmd, "unix-pair")) unix_pair();
    else if (!strcmp(cmd, "unix-dgram")) unix_dgram();
    else if (!strcmp(cmd, "unix-connect")) unix_connect(arg, 0);
    else if (!strcmp(cmd, "abstract-connect")) unix_connect(arg, 1);
    else if (!strcmp(cmd, "self-connect")) self_connect(arg);
    else if (!strcmp(cmd, "full-backlog")) full_backlog(arg);
    else if (!strcmp(cmd, "connect-received") && argc > 3) connect_received(arg, atoi(argv[3]));
    else if (!strcmp(cmd, "ptrace")) trace(atoi(arg));
    else if (!strcmp(cmd, "kill")) report("kill", kill(atoi(arg), SIGTERM) == 0);
    else if (!strcmp(cmd, "meta")) metadata(arg);
#ifdef __x86_64__
    else if (!strcmp(cmd, "foreign-abis")) foreign_abis();
#endif
    else if (!strcmp(cmd, "tiocsti")) tiocsti(arg);
    else if (!strcmp(cmd, "keys")) keyrings();
    else if (!strcmp(cmd, "key-check")) key_check();
    else if (!strcmp(cmd, "with-keyring") && argc > 2) return with_keyring(argv + 2);
    else if (!strcmp(cmd, "sysv") && argc > 4) sysv(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
    else if (!strcmp(cmd, "other-process")) other_process(atoi(arg));
    else if (!strcmp(cmd, "setid") && argc > 3) setid(arg, argv[3]);
    else if (!strcmp(cmd, "race") && argc > 4) race(arg, argv[3], atoi(argv[4]));
    else if (!strcmp(cmd, "deny") && argc > 4) return deny_syscall_then_exec(atoi(argv[2]), atoi(argv[3]), argv + 4);
    else if (!strcmp(cmd, "deny-flag") && argc > 5) return deny_flag_then_exec(atoi(argv[2]), (unsigned)strtoul(argv[3], NULL, 0), atoi(argv[4]), argv + 5);
    else return 2;
    return failures ? 1 : 0;
}
