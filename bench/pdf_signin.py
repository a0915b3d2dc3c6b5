"""How fast sign-in sheets (签到表) render: pages per second, no database.

    uv run python bench/pdf_signin.py [--sheets 40] [--seats 30 70]

Builds ``SigninSheet`` rows directly (names drawn from common characters, so each file
subsets a realistic ~200 glyphs) and times ``render_signin_sheet`` after one warm-up
file, which pays for registering the font. Prints a line per roster size. Not a test:
no assertion on time.
"""

from __future__ import annotations

import argparse
import os
import random
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillcert.config.settings_test")
django.setup()

from skillcert.enrollment.documents import (  # noqa: E402 - after django.setup()
    SigninRow,
    SigninSheet,
    render_signin_sheet,
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鑫斌宇浩凯"
    "健俊帆帅旭宁龙林欣佳嘉琪晨阳雪梅婷颖慧倩瑶怡鹏辉飞波"
)


def sheet(seats: int, rng: random.Random) -> SigninSheet:
    rows = [
        SigninRow(
            seat_number=n,
            admission_number=f"B2026001{n:04d}",
            name=rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
            id_number_masked=f"5301{rng.randint(10, 99)}********{rng.randint(1000, 9999)}",
        )
        for n in range(1, seats + 1)
    ]
    return SigninSheet(
        institution="昆明市第一技工学校",
        batch_title="2026年第1批车工（数控车工）五级认定",
        batch_code="B2026001",
        occupation="车工（数控车工）",
        level="五级/初级工",
        component="理论知识考试",
        room="实训楼 101室",
        time="2026-06-01 09:00—10:30（90分钟）",
        rows=rows,
    )


def pages_of(data: bytes) -> int:
    return data.count(b"/Type /Page\n") or data.count(b"/Type /Page ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=40, help="files per roster size")
    parser.add_argument("--seats", type=int, nargs="+", default=[30, 70])
    args = parser.parse_args()
    rng = random.Random(2026)
    started = time.perf_counter()
    render_signin_sheet(sheet(5, rng))
    print(f"warm-up (font registration + first file): {time.perf_counter() - started:.2f} s")
    for seats in args.seats:
        sheets = [sheet(seats, rng) for _n in range(args.sheets)]
        started = time.perf_counter()
        files = [render_signin_sheet(s) for s in sheets]
        elapsed = time.perf_counter() - started
        pages = sum(pages_of(f) for f in files)
        size = sum(len(f) for f in files) / len(files)
        print(
            f"{seats:3d} seats: {args.sheets} files, {pages} pages in {elapsed:.2f} s — "
            f"{pages / elapsed:.1f} pages/s, {args.sheets / elapsed:.1f} files/s, "
            f"{size / 1024:.0f} KiB/file"
        )


if __name__ == "__main__":
    main()
