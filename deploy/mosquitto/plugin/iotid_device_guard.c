/*
 * iotid_device_guard: a mosquitto 2.0 plugin (API v5) for the listeners devices use. The acl_file patterns keep a
 * device to the topics of its own id, but mosquitto's acl_file grants every SUBSCRIBE and the client id namespace is
 * shared by all listeners; this plugin closes both:
 *   - CONNECT: the client id must be a device id (1 to 64 lowercase hex digits) and, when the client has a user name
 *     (the certificate's CN on the certificate listener), equal to it. So no device-facing client can take the
 *     client id of a silo (silo ids are not hex) or of another certified device.
 *   - SUBSCRIBE: only filters inside iotid/v1/{client id}/, so no device joins $share/iotid/... or listens
 *     to another device's topics. Everything else is left to the listener's acl_file.
 * Load it per listener (per_listener_settings true): plugin /path/iotid_device_guard.so
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

#define DEVICE_ID_MAX 64
#define TOPIC_PREFIX "iotid/v1/"

static mosquitto_plugin_id_t *plugin_id;

static bool is_device_id(const char *id)
{
	size_t length = id ? strlen(id) : 0;
	if(length == 0 || length > DEVICE_ID_MAX) return false;
	for(size_t i = 0; i < length; i++){
		char c = id[i];
		if(!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
	}
	return true;
}

static bool admissible(struct mosquitto *client)
{
	const char *id = mosquitto_client_id(client);
	const char *username = mosquitto_client_username(client);
	return is_device_id(id) && (username == NULL || strcmp(username, id) == 0);
}

static int on_basic_auth(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_basic_auth *ed = event_data;
	const char *id = mosquitto_client_id(ed->client);
	(void)event; (void)userdata;
	if(is_device_id(id) && (ed->username == NULL || strcmp(ed->username, id) == 0)) return MOSQ_ERR_SUCCESS;
	mosquitto_log_printf(MOSQ_LOG_NOTICE, "iotid_device_guard: refused client id '%s': not a device id or not the user's own",
			id ? id : "");
	return MOSQ_ERR_AUTH;
}

static int on_acl_check(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_acl_check *ed = event_data;
	const char *id = mosquitto_client_id(ed->client);
	size_t prefix = strlen(TOPIC_PREFIX);
	(void)event; (void)userdata;
	if(!admissible(ed->client)) return MOSQ_ERR_ACL_DENIED;
	if(ed->access != MOSQ_ACL_SUBSCRIBE) return MOSQ_ERR_PLUGIN_DEFER;
	if(strncmp(ed->topic, TOPIC_PREFIX, prefix) == 0
			&& strncmp(ed->topic + prefix, id, strlen(id)) == 0
			&& ed->topic[prefix + strlen(id)] == '/'){
		return MOSQ_ERR_PLUGIN_DEFER;
	}
	mosquitto_log_printf(MOSQ_LOG_NOTICE, "iotid_device_guard: refused subscription of '%s' to '%s'", id, ed->topic);
	return MOSQ_ERR_ACL_DENIED;
}

int mosquitto_plugin_version(int supported_version_count, const int *supported_versions)
{
	for(int i = 0; i < supported_version_count; i++){
		if(supported_versions[i] == 5) return 5;
	}
	return -1;
}

int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userdata, struct mosquitto_opt *options, int option_count)
{
	(void)userdata; (void)options; (void)option_count;
	plugin_id = identifier;
	int rc = mosquitto_callback_register(plugin_id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL, NULL);
	if(rc != MOSQ_ERR_SUCCESS) return rc;
	return mosquitto_callback_register(plugin_id, MOSQ_EVT_ACL_CHECK, on_acl_check, NULL, NULL);
}

int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *options, int option_count)
{
	(void)userdata; (void)options; (void)option_count;
	mosquitto_callback_unregister(plugin_id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL);
	return mosquitto_callback_unregister(plugin_id, MOSQ_EVT_ACL_CHECK, on_acl_check, NULL);
}
