"""Runs localstripe bound to 127.0.0.1 only, starting empty and keeping its state in memory,
with the project's plugin (localstripe_plugin.py: Checkout Sessions, Prices, refund events).

localstripe's own CLI binds every interface and pickles its state to /tmp; this launcher
imports its aiohttp app instead and turns the pickling off.
"""
import argparse
import logging

from aiohttp import web
from localstripe import resources, server

import localstripe_plugin


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8420)
    args = parser.parse_args()
    resources.store.dump_to_disk = lambda: None  # in memory only: no /tmp/localstripe.pickle
    localstripe_plugin.install(server.app)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    web.run_app(server.app, host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
