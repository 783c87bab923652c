# Site configuration for one board / 单块板卡的现场配置
# Copy to site_config.py (never committed: it holds the Wi-Fi key) and edit; `classlab firmware
# deploy` copies it to the board next to board_config.json. Anything left out takes the default
# in config.py's DEFAULTS.

SITE_ID = "school-a"        # [a-z0-9-]{1,32}: the school or lab room, as in the gateway's [site] id
BOARD_ID = "esp32-1"        # [a-z0-9-]{1,32}: unique per site; default: board.id of the pin map

# Transport: "mqtt" (Wi-Fi boards) or "serial" (USB, e.g. a plain Pico). Default: mqtt when
# WIFI_SSID is set, else serial.
TRANSPORT = "mqtt"

WIFI_SSID = "classlab-lab"  # 2.4 GHz network of the lab / 实验室 Wi-Fi 名称
WIFI_KEY = "change-me"      # Wi-Fi password / 密码

MQTT_HOST = "192.168.4.1"   # the gateway's broker (Raspberry Pi or PC running Mosquitto)
MQTT_PORT = 1883
MQTT_USER = None            # set both if the broker needs a login
MQTT_PASSWORD = None

QUEUE_BYTES = 8192          # RAM for frames during a network outage (oldest dropped when full)
FLUSH_MS = 100              # how often samples leave the board (latency of the live graph)
STATUS_S = 10               # status message period
RING_S = 3.0                # seconds of samples each fast ring holds (a longer stall drops, counted)
RING_INSTANTS = 1024        # upper limit of a fast ring, in sampling instants
WDT_MS = None               # e.g. 8000: hardware watchdog resets a hung board (a running watchdog also
                            # resets the board 8 s after mpremote stops the program: leave None while developing)
