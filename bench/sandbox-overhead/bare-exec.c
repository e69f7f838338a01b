/* The floor of any helper design: a static program that does nothing but execvp its arguments. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    execvp(argv[1], argv + 1);
    perror("bare-exec");
    return 127;
}
