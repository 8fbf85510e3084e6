/* credstored's log: syslog, or stderr in the foreground. */
#ifndef CREDSTORE_LOG_H
#define CREDSTORE_LOG_H

#include <stdbool.h>
#include <syslog.h>

void log_open(bool to_stderr);
__attribute__((format(printf, 2, 3)))
void log_msg(int priority, const char *fmt, ...);
/* Counts one more of what a client may repeat at will (a refusal, a
 * garbage datagram): true on the 1st, 10th, 100th, ... so that the log
 * says it happened without filling up. */
bool log_sample(unsigned long *count);

#endif
