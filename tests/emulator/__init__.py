"""Tests of the Drive v3 emulator, through the real google-api-python-client over HTTP."""
