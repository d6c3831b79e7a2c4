"""hocvuso: chat-bot learning delivery for the "Bình dân học vụ số" movement."""

__version__ = "0.1.0"
