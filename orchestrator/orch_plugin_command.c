/*
 * Plugin commands: the orchestrator forwards `stellarctl plugin NAME ...`
 * to one running plugin worker and relays its answer, which comes back on
 * the worker channel; a worker that does not answer in time gets the
 * client an error, never a hang.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "orch.h"

#define COMMAND_TIMEOUT_MS 3000
#define COMMAND_MAX        (60 * 1024) /* arguments: what the worker channel carries */

static void fail(Stellar__Control__V1__Response *resp, Stellar__Control__V1__Code code, const char *fmt,
		 const char *arg)
{
	static char msg[256];

	snprintf(msg, sizeof(msg), fmt, arg);
	resp->code = code;
	resp->message = msg;
}

static struct orch_worker *pick_worker(struct orch *o)
{
	for (uint16_t n = 0; n < TOPO_MAX_NODES; n++)
		if (o->workers[n].enabled && o->workers[n].kind == NODE_PLUGIN && o->workers[n].state == WORKER_RUNNING &&
		    !o->workers[n].retiring)
			return &o->workers[n];
	return NULL;
}

bool orch_plugin_command(struct orch *o, const void *client, size_t client_len, uint64_t request_id,
			 const Stellar__Control__V1__PluginCommandRequest *req, Stellar__Control__V1__Response *resp)
{
	struct orch_pending_command *slot = NULL;
	struct orch_worker *w;
	int plugin;

	if (!req || !req->plugin || !req->command || !*req->command) {
		fail(resp, STELLAR__CONTROL__V1__CODE__CODE_BAD_REQUEST, "%s", "a plugin command needs a plugin and a command");
		return true;
	}
	if (strlen(req->command) + (req->args ? strlen(req->args) : 0) > COMMAND_MAX) {
		fail(resp, STELLAR__CONTROL__V1__CODE__CODE_BAD_REQUEST, "%s",
		     "a plugin command and its arguments take at most 60 KiB");
		return true;
	}
	if ((plugin = orch_plugin_index(o, req->plugin)) < 0) {
		fail(resp, STELLAR__CONTROL__V1__CODE__CODE_BAD_REQUEST,
		     "no plugin named '%s' in this instance (see `stellarctl status`)", req->plugin);
		return true;
	}
	if (__atomic_load_n(&o->shm->plugins.quarantined_mask, __ATOMIC_ACQUIRE) & (1u << o->plugin_ids[plugin])) {
		fail(resp, STELLAR__CONTROL__V1__CODE__CODE_FAILED, "plugin '%s' is quarantined", req->plugin);
		return true;
	}
	if (!(w = pick_worker(o))) {
		fail(resp, STELLAR__CONTROL__V1__CODE__CODE_BUSY, "%s", "no plugin worker is running; try again");
		return true;
	}
	for (unsigned i = 0; i < ORCH_PENDING_COMMANDS && !slot; i++)
		if (!o->pending[i].token)
			slot = &o->pending[i];
	if (!slot || client_len > sizeof(slot->client)) {
		fail(resp, STELLAR__CONTROL__V1__CODE__CODE_BUSY, "%s", "too many plugin commands in progress");
		return true;
	}
	slot->token = ++o->next_token;
	slot->request_id = request_id;
	slot->deadline_ms = orch_now_ms() + COMMAND_TIMEOUT_MS;
	slot->client_len = client_len;
	slot->sock = o->zanswering ? o->zanswering : o->zcontrol;
	slot->worker = w->node;
	slot->worker_pid = w->pid;
	memcpy(slot->client, client, client_len);
	orch_worker_send_command(o, w, slot->token, (uint32_t)o->plugin_ids[plugin], req->command,
				 req->args ? req->args : "");
	return false;
}

static void answer(struct orch *o, struct orch_pending_command *p, Stellar__Control__V1__Response *resp)
{
	resp->id = p->request_id;
	orch_control_reply_on(o, p->sock, p->client, p->client_len, resp);
	p->token = 0;
}

void orch_plugin_command_reply(struct orch *o, uint64_t token, int code, const char *reply)
{
	Stellar__Control__V1__Response resp = STELLAR__CONTROL__V1__RESPONSE__INIT;
	Stellar__Control__V1__PluginCommandResult result = STELLAR__CONTROL__V1__PLUGIN_COMMAND_RESULT__INIT;
	char msg[128];

	for (unsigned i = 0; i < ORCH_PENDING_COMMANDS; i++) {
		if (o->pending[i].token != token || !token)
			continue;
		result.reply = (char *)(reply ? reply : "");
		resp.result_case = STELLAR__CONTROL__V1__RESPONSE__RESULT_PLUGIN_COMMAND;
		resp.plugin_command = &result;
		if (code < 0) {
			snprintf(msg, sizeof(msg), "the plugin refused the command: %s", strerror(-code));
			resp.code = STELLAR__CONTROL__V1__CODE__CODE_FAILED;
			resp.message = msg;
		}
		answer(o, &o->pending[i], &resp);
		return;
	}
	/* A late answer to a command that already timed out. */
}

void orch_plugin_command_tick(struct orch *o)
{
	uint64_t now = orch_now_ms();

	for (unsigned i = 0; i < ORCH_PENDING_COMMANDS; i++) {
		Stellar__Control__V1__Response resp = STELLAR__CONTROL__V1__RESPONSE__INIT;

		if (!o->pending[i].token)
			continue;
		if (o->workers[o->pending[i].worker].pid != o->pending[i].worker_pid) {
			resp.code = STELLAR__CONTROL__V1__CODE__CODE_FAILED;
			resp.message = (char *)"the plugin worker died running the command (see the log)";
		} else if (now >= o->pending[i].deadline_ms) {
			resp.code = STELLAR__CONTROL__V1__CODE__CODE_FAILED;
			resp.message = (char *)"the plugin worker did not answer within 3 s (is the plugin stuck?)";
		} else {
			continue;
		}
		answer(o, &o->pending[i], &resp);
	}
}
