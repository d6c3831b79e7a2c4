"""The public web app of ``hocvuso web``: certificate checks anyone can run (issue 12), and the
organiser dashboard (issue 13) joins it. Routes parse input, call one domain function and render
its result; the app itself is assembled in :mod:`hocvuso.web.app`."""
