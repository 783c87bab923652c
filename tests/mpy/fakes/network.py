# Fake `network` (Wi-Fi station) for firmware tests. Test control: WLAN.reachable (the access point
# answers), WLAN.connects (connect() calls). After connect() the station is connected whenever the
# access point is reachable (real ports keep retrying in the background). API: README.md.
STA_IF = 0
AP_IF = 1
STAT_IDLE = 0
STAT_CONNECTING = 1
STAT_WRONG_PASSWORD = -3
STAT_NO_AP_FOUND = -2
STAT_CONNECT_FAIL = -1
STAT_GOT_IP = 3


class WLAN:
    reachable = True
    connects = [0]
    _up = [False]

    def __init__(self, interface=STA_IF):
        self.interface = interface
        self._active = False
        self._cfg = {}

    def active(self, flag=None):
        if flag is None:
            return self._active
        self._active = bool(flag)
        if not flag:
            WLAN._up[0] = False
        return self._active

    def connect(self, ssid=None, key=None, **kw):
        if not self._active:
            raise OSError("Wifi Not Started")
        WLAN.connects[0] += 1
        self.ssid = ssid
        WLAN._up[0] = True  # the station keeps trying: connected whenever the access point is reachable

    def disconnect(self):
        WLAN._up[0] = False

    def isconnected(self):
        return WLAN._up[0] and WLAN.reachable

    def status(self, param=None):
        if param == "rssi":
            return -55
        return STAT_GOT_IP if self.isconnected() else STAT_NO_AP_FOUND

    def ifconfig(self, cfg=None):
        return ("192.168.4.23", "255.255.255.0", "192.168.4.1", "192.168.4.1")

    def config(self, *args, **kw):
        if args:
            return self._cfg.get(args[0], b"\xfa\x4e\x00\x01\x02\x03" if args[0] == "mac" else None)
        self._cfg.update(kw)

    # ---- test control ----
    @staticmethod
    def reset_all():
        WLAN.reachable = True
        WLAN.connects[0] = 0
        WLAN._up[0] = False
