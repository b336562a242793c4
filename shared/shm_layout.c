#include "shm_layout.h"

const char *worker_state_name(enum worker_state state)
{
	switch (state) {
	case WORKER_ABSENT: return "absent";
	case WORKER_STARTING: return "starting";
	case WORKER_RUNNING: return "running";
	case WORKER_STOPPING: return "stopping";
	case WORKER_RESTARTING: return "restarting";
	case WORKER_STOPPED: return "stopped";
	case WORKER_FAILED: return "failed";
	}
	return "unknown";
}
