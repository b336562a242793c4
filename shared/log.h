/*
 * Logging for every Stellar program: one line per message on stderr,
 * "<program>[<pid>]: <level>: <message>". The program name is set once at
 * start-up; the level comes from the config (log.level) or the command line.
 */
#ifndef STELLAR_LOG_H
#define STELLAR_LOG_H

#ifdef __cplusplus
extern "C" {
#endif

enum log_level { LOG_LVL_ERROR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_init(const char *program);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parses "error", "warn", "info", "debug"; returns -1 if unknown. */
int log_level_parse(const char *name);
void log_write(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define LOG_ERR(...)   log_write(LOG_LVL_ERROR, __VA_ARGS__)
#define LOG_WARN(...)  log_write(LOG_LVL_WARN, __VA_ARGS__)
#define LOG_INFO(...)  log_write(LOG_LVL_INFO, __VA_ARGS__)
#define LOG_DEBUG(...) log_write(LOG_LVL_DEBUG, __VA_ARGS__)

#ifdef __cplusplus
}
#endif
#endif
