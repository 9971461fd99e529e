/*
 * The API's route table: every path under /api/v1, the method, the roles allowed and the
 * handler. docs/openapi.yaml describes the same table; a test compares the two, and
 * another calls every route without a session to check it is refused.
 */
#include "web_priv.h"

#define ADMIN WEB_ROLE_ADMIN
#define STAFF (WEB_ROLE_ADMIN | WEB_ROLE_SECRETARY)
#define ANY WEB_ROLE_ANY

const struct web_route web_routes[] = {
	{"POST", "/api/v1/session", 0, web_api_login},
	{"GET", "/api/v1/session", ANY, web_api_session},
	{"DELETE", "/api/v1/session", ANY, web_api_logout},

	{"GET", "/api/v1/live", STAFF, web_api_live},
	{"GET", "/api/v1/live/stream", STAFF, web_api_live_stream},
	{"GET", "/api/v1/calls", STAFF, web_api_calls},
	{"GET", "/api/v1/calls/{id}", STAFF, web_api_call},
	{"GET", "/api/v1/tasks", ANY, web_api_tasks},
	{"PATCH", "/api/v1/tasks/{id}", ANY, web_api_task_update},

	{"GET", "/api/v1/practitioners", ANY, web_api_practitioners},
	{"POST", "/api/v1/practitioners", ADMIN, web_api_practitioner_add},
	{"PATCH", "/api/v1/practitioners/{id}", ADMIN, web_api_practitioner_update},
	{"GET", "/api/v1/appointment-types", ANY, web_api_types},
	{"POST", "/api/v1/appointment-types", ADMIN, web_api_type_add},
	{"PATCH", "/api/v1/appointment-types/{id}", ADMIN, web_api_type_update},
	{"GET", "/api/v1/agenda", ANY, web_api_agenda},
	{"GET", "/api/v1/slots", ANY, web_api_slots},
	{"POST", "/api/v1/appointments", ANY, web_api_book},
	{"DELETE", "/api/v1/appointments/{id}", ANY, web_api_cancel},
	{"POST", "/api/v1/appointments/{id}/move", ANY, web_api_move},

	{"GET", "/api/v1/settings", ADMIN, web_api_settings_get},
	{"PUT", "/api/v1/settings", ADMIN, web_api_settings_put},
	{"GET", "/api/v1/openings", ADMIN, web_api_openings_get},
	{"PUT", "/api/v1/openings", ADMIN, web_api_openings_put},
	{"GET", "/api/v1/absences", ANY, web_api_absences},
	{"POST", "/api/v1/absences", ADMIN, web_api_absence_add},
	{"DELETE", "/api/v1/absences/{id}", ADMIN, web_api_absence_delete},

	{"GET", "/api/v1/stats", STAFF, web_api_stats},
	{"GET", "/api/v1/users", ADMIN, web_api_users},
	{"POST", "/api/v1/users", ADMIN, web_api_user_add},
	{"PATCH", "/api/v1/users/{id}", ADMIN, web_api_user_update},
	{"GET", "/api/v1/audit", ADMIN, web_api_audit},
};

const size_t web_routes_count = sizeof(web_routes) / sizeof(web_routes[0]);
