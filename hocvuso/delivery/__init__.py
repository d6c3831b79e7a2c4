"""Getting messages out: the outbox, the durable queue, the pacer, the worker, quiet hours.

Also the shape of a button in anything delivered (:mod:`hocvuso.delivery.payloads`), because the
chat, the organisers' messages and the scheduler's reminders all produce buttons.
"""
