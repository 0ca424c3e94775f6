// SPDX-License-Identifier: GPL-2.0
/*
 * testrun [-u UID] [-f] PROG [ARG...]: how the guest's /init starts each test program.
 *   -u UID  run PROG as that user and group (a test that skips as root).
 *   -f      set PROG's /proc/<pid>/make-it-fail from its first instruction on, but not during
 *           its execve(): with a preset's task-filter=Y only the test process (and what it
 *           forks) is failed. Set before execve(), execve()'s own argument copying
 *           (get_user_pages_remote() faults) would be failed instead.
 * The child stops at its execve (PTRACE_TRACEME), the flag is set, the child is let go.
 * Exit status: PROG's, or 128 + the signal that killed it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int status, opt, fail = 0;
	long uid = -1;
	char path[64];
	pid_t pid;
	FILE *f;

	while ((opt = getopt(argc, argv, "+u:f")) != -1) {
		if (opt == 'u')
			uid = atol(optarg);
		else if (opt == 'f')
			fail = 1;
		else
			return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: testrun [-u UID] [-f] PROG [ARG...]\n");
		return 2;
	}
	pid = fork();
	if (pid == 0) {
		if (fail)
			ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		if (uid >= 0 && (setgid(uid) || setuid(uid))) {
			perror("setuid");
			_exit(2);
		}
		execvp(argv[optind], argv + optind);
		perror(argv[optind]);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 2;
	if (WIFSTOPPED(status)) {
		snprintf(path, sizeof(path), "/proc/%d/make-it-fail", pid);
		f = fopen(path, "w");
		if (!f || fputs("1", f) < 0 || fclose(f)) {
			perror(path);
			kill(pid, SIGKILL);
		}
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
		if (waitpid(pid, &status, 0) != pid)
			return 2;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
