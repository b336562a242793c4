/* The plugins' REST routes: checked with a config, swapped in by apply,
 * looked up by the listener's connection threads under a lock. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "orch.h"
#include "orch_http.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned n_routes;
static struct orch_http_route routes[CONFIG_MAX_PLUGINS * HTTP_ROUTES_MAX];

static const char *const builtin_paths[] = {"/metrics", "/status", "/stats", NULL};

bool orch_http_builtin_path(const char *path)
{
	for (unsigned b = 0; builtin_paths[b]; b++)
		if (strcmp(path, builtin_paths[b]) == 0)
			return true;
	return false;
}

int orch_http_routes_check(const struct stellar_config *cfg, char *err, size_t errlen)
{
	for (unsigned i = 0; i < cfg->n_plugins; i++) {
		const struct plugin_config *pc = &cfg->plugins[i];

		for (unsigned r = 0; r < pc->n_routes; r++) {
			const struct http_route *hr = &pc->routes[r];

			if (orch_http_builtin_path(hr->path)) {
				snprintf(err, errlen, "%s:%u: plugins[%u].http_routes: %s is Stellar's own path", cfg->path,
					 pc->line, i, hr->path);
				return -1;
			}
			/* Every route before this one, this plugin's included. */
			for (unsigned k = 0; k <= i; k++)
				for (unsigned q = 0; q < (k == i ? r : cfg->plugins[k].n_routes); q++)
					if (strcmp(cfg->plugins[k].routes[q].method, hr->method) == 0 &&
					    strcmp(cfg->plugins[k].routes[q].path, hr->path) == 0) {
						snprintf(err, errlen, "%s:%u: plugins[%u].http_routes: %s %s is already "
							 "served by plugin '%s'", cfg->path, pc->line, i, hr->method,
							 hr->path, cfg->plugins[k].name);
						return -1;
					}
		}
	}
	return 0;
}

void orch_http_routes_update(const struct orch *o)
{
	pthread_mutex_lock(&lock);
	n_routes = 0;
	for (unsigned i = 0; i < o->cfg.n_plugins; i++)
		for (unsigned r = 0; r < o->cfg.plugins[i].n_routes; r++) {
			struct orch_http_route *rt = &routes[n_routes++];

			snprintf(rt->plugin, sizeof(rt->plugin), "%s", o->cfg.plugins[i].name);
			rt->r = o->cfg.plugins[i].routes[r];
		}
	pthread_mutex_unlock(&lock);
}

int orch_http_route_find(const char *path, const char *method, struct orch_http_route *out, char *allow,
			 size_t allow_len)
{
	int rc = -1;

	allow[0] = '\0';
	pthread_mutex_lock(&lock);
	for (unsigned i = 0; i < n_routes && rc < 1; i++) {
		if (strcmp(routes[i].r.path, path) != 0)
			continue;
		rc = 0;
		if (strcmp(routes[i].r.method, method) == 0) {
			*out = routes[i];
			rc = 1;
		} else if (strlen(allow) + strlen(routes[i].r.method) + 3 < allow_len) {
			strcat(allow, *allow ? ", " : "");
			strcat(allow, routes[i].r.method);
		}
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

unsigned orch_http_route_count(void)
{
	unsigned n;

	pthread_mutex_lock(&lock);
	n = n_routes;
	pthread_mutex_unlock(&lock);
	return n;
}
