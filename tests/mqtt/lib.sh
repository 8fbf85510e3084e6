# Helpers of the MQTT tests, the demo and bench/mqtt: a mosquitto broker
# started with the credstore-mosquitto plugin (or a password file), and
# real clients (mosquitto_pub / mosquitto_sub).  Needs $BUILD and
# $MQTT_DIR (a scratch directory that the broker's user can read), after
# tests/lib.sh.

MQTT_PORT=1883		# plain listener (tests run in a network namespace: own_ports)
MQTT_TLS_PORT=8883	# TLS listener, client certificates required
MQTT_PLUGIN=$BUILD/lib/credstore-mosquitto.so
_mqtt_pids=()

# The plugin of the ASan+UBSan build needs the sanitizers' runtimes
# loaded first in the (uninstrumented) broker.
mqtt_preload() {
	case $BUILD in
	*/san) echo "$(cc -print-file-name=libasan.so):$(cc -print-file-name=libubsan.so)" ;;
	esac
}

# mqtt_start_broker NAME CONFIG-LINES: run mosquitto with the plugin
# (config: the lines given, after the common ones) as the mosquitto user;
# its log is $MQTT_DIR/NAME.log.  Waits until it listens.
mqtt_start_broker() {
	local name=$1 conf=$MQTT_DIR/$1.conf; shift
	chmod 755 "$MQTT_DIR"
	{
		echo "user ${MQTT_USER:-mosquitto}"
		echo "log_dest stderr"
		echo "log_type error"; echo "log_type warning"; echo "log_type notice"
		echo "log_type information"
		echo "log_timestamp false"
		printf '%s\n' "$@"
	} > "$conf"
	# Not from the environment: the plugin finds credstored by its option.
	env -u CREDSTORE_RUNTIME_DIR LD_PRELOAD="$(mqtt_preload)" ASAN_OPTIONS=detect_leaks=0 \
		mosquitto -c "$conf" 2> "$MQTT_DIR/$name.log" &
	_mqtt_pids+=($!)
	wait_for_line "$MQTT_DIR/$name.log" running $! && return 0
	echo "mosquitto did not start:" >&2
	cat "$MQTT_DIR/$name.log" >&2
	return 1
}

# The configuration of a broker on the store: plain and TLS listeners.
mqtt_store_config() {
	cat <<-CONF
	per_listener_settings false
	allow_anonymous false
	plugin $MQTT_PLUGIN
	plugin_opt_transport ${MQTT_TRANSPORT:-daemon}
	plugin_opt_daemon_user $(id -u)
	plugin_opt_runtime_dir $CREDSTORE_RUNTIME_DIR
	listener $MQTT_PORT 127.0.0.1
	listener $MQTT_TLS_PORT 127.0.0.1
	cafile $MQTT_DIR/ca.pem
	certfile $MQTT_DIR/server.pem
	keyfile $MQTT_DIR/server.key
	require_certificate true
	CONF
}

mqtt_stop_all() {
	stop_pids "${_mqtt_pids[@]}"
	_mqtt_pids=()
}

# mqtt_pub_secret ID PASSWORD [CLIENT-ID]: one QoS 1 message on the plain
# listener; succeeds only when the broker accepted the connection.
mqtt_pub_secret() {
	timeout 20 mosquitto_pub -h 127.0.0.1 -p $MQTT_PORT -q 1 -u "$1" -P "$2" \
		-i "${3:-$1-pub}" -t "devices/$1/hello" -m hi
}

# mqtt_pub_cert NAME [ARGS...]: the same over TLS with $MQTT_DIR/NAME.pem.
mqtt_pub_cert() {
	local name=$1; shift
	timeout 20 mosquitto_pub -h localhost -p $MQTT_TLS_PORT --cafile "$MQTT_DIR/ca.pem" \
		--cert "$MQTT_DIR/$name.pem" --key "$MQTT_DIR/$name.key" -q 1 -i "$name-pub" "$@"
}

# mqtt_hmac SECRET TIMESTAMP: the password of the HMAC form.
mqtt_hmac() {
	printf '%s' "$2" | openssl dgst -sha256 -hmac "$1" | sed 's/.*= //'
}
