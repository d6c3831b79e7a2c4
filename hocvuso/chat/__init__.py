"""The conversation application: one unit of work per update, replay, context, replies, flows.

Transports (``hocvuso.bot``) hand events to :class:`hocvuso.chat.engine.Engine`; the engine routes
them (:mod:`hocvuso.chat.routing`) to one flow module per feature (:mod:`hocvuso.chat.flows`),
which call the learning and organising domains and render what they return.
"""
