#!/usr/bin/env python3
"""Writes the hand-made XRootD answer seeds (fuzz/seeds/xrootd-frames): byte strings a server sends."""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds", "xrootd-frames")


def frame(sid, status, body=b""):
    return struct.pack(">HHi", sid, status, len(body)) + body


def readv_element(length, offset, fill):
    return b"\0\0\0\1" + struct.pack(">iq", length, offset) + bytes([fill]) * length


SEEDS = {
    "handshake-login.bin": frame(0, 0, struct.pack(">ii", 5, 1)) + frame(1, 0, b"S" * 16 + b"&P=unix\0"),
    "open-retstat.bin": frame(2, 0, b"\0\0\0\7" + b"\0" * 8 + b"1234 5596 0 1700000000\0"),
    "open-then-stat.bin": frame(2, 0, b"\0\0\0\7") + frame(3, 0, b"77 18446744073709551615 0 0\0"),
    "error-notfound.bin": frame(4, 4003, struct.pack(">i", 3011) + b"no such file\0"),
    "redirect.bin": frame(5, 4004, struct.pack(">i", 1094) + b"data.example.org?tried=a&cms.tid=x?token"),
    "wait.bin": frame(6, 4005, struct.pack(">i", 3) + b"busy\0"),
    "oksofar.bin": frame(7, 4000, b"1234 ") + frame(7, 4000, b"99 ") + frame(7, 0, b"0 0\0"),
    "attn-asynresp.bin": frame(0, 4001, struct.pack(">i", 5008) + b"\0" * 4 + frame(8, 0, b"\0\0\0\1")),
    "waitresp.bin": frame(9, 4006, struct.pack(">i", 10)) + frame(9, 0, b"5 6 7 8\0"),
    "readv.bin": frame(10, 0, readv_element(16, 0, 0xAB) + readv_element(8, 4096, 0xCD)),
    "readv-short.bin": frame(11, 0, readv_element(16, 0, 1) + b"\0\0\0\1" + struct.pack(">i", 8)),
}

if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
