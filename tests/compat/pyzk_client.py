#!/usr/bin/env python3
"""pyzk 0.9 as an independent ZK client, driven by kaoqin-sim's interoperability tests and the
pyzk benchmark. Prints machine-readable results on stdout; errors go to stderr with exit code 1.

usage: pyzk_client.py [--udp] [--password KEY] [--encoding gbk] HOST PORT ACTION [ARGS...]
actions:
  info                      JSON: firmware, serial, platform, device_name, mac, time
  users                     CSV rows: uid,user_id,name,privilege,password,card,group
  attendance                CSV rows: user_id,YYYY-MM-DD HH:MM:SS,status,punch,uid
  count                     get_attendance() and print the number of records only (benchmark)
  set-user UID USER_ID NAME PRIVILEGE PASSWORD CARD
  delete-user UID
  templates                 CSV rows: uid,finger,valid,size (get_templates())
  delete-template UID FINGER  delete_user_template(uid, finger): prints ok or refused
  set-time 'YYYY-MM-DD HH:MM:SS'
  live N                    live_capture(): print the first N events as attendance rows
"""
import argparse
import csv
import json
import sys
from datetime import datetime

from zk import ZK


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--udp", action="store_true")
    ap.add_argument("--password", type=int, default=0)
    ap.add_argument("--encoding", default="gbk")
    ap.add_argument("--timeout", type=int, default=20)
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("action")
    ap.add_argument("rest", nargs="*")
    a = ap.parse_args()

    zk = ZK(a.host, port=a.port, timeout=a.timeout, password=a.password,
            force_udp=a.udp, ommit_ping=True, encoding=a.encoding)
    conn = zk.connect()
    out = csv.writer(sys.stdout, lineterminator="\n")
    try:
        if a.action == "info":
            print(json.dumps({
                "firmware": conn.get_firmware_version(),
                "serial": conn.get_serialnumber(),
                "platform": conn.get_platform(),
                "device_name": conn.get_device_name(),
                "mac": conn.get_mac(),
                "time": conn.get_time().strftime("%Y-%m-%d %H:%M:%S"),
            }, ensure_ascii=False))
        elif a.action == "users":
            for u in conn.get_users():
                out.writerow([u.uid, u.user_id, u.name, u.privilege, u.password, u.card, u.group_id])
        elif a.action == "attendance":
            for r in conn.get_attendance():
                out.writerow([r.user_id, r.timestamp.strftime("%Y-%m-%d %H:%M:%S"),
                              r.status, r.punch, r.uid])
        elif a.action == "count":
            print(len(conn.get_attendance()))
        elif a.action == "set-user":
            uid, user_id, name, priv, pw, card = a.rest
            conn.set_user(uid=int(uid), name=name, privilege=int(priv), password=pw,
                          group_id="", user_id=user_id, card=int(card))
            print("ok")
        elif a.action == "delete-user":
            conn.delete_user(uid=int(a.rest[0]))
            print("ok")
        elif a.action == "templates":
            for t in conn.get_templates():
                out.writerow([t.uid, t.fid, t.valid, t.size])
        elif a.action == "delete-template":
            done = conn.delete_user_template(uid=int(a.rest[0]), temp_id=int(a.rest[1]))
            print("ok" if done else "refused")
        elif a.action == "set-time":
            conn.set_time(datetime.strptime(a.rest[0], "%Y-%m-%d %H:%M:%S"))
            print(conn.get_time().strftime("%Y-%m-%d %H:%M:%S"))
        elif a.action == "live":
            want = int(a.rest[0])
            got = 0
            print("capturing", flush=True)
            for r in conn.live_capture(new_timeout=2):
                if r is None:
                    continue
                out.writerow([r.user_id, r.timestamp.strftime("%Y-%m-%d %H:%M:%S"), r.status, r.punch])
                sys.stdout.flush()
                got += 1
                if got >= want:
                    conn.end_live_capture = True
        else:
            print("unknown action " + a.action, file=sys.stderr)
            return 2
    finally:
        conn.disconnect()
    return 0


if __name__ == "__main__":
    sys.exit(main())
