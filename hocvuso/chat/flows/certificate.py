"""The certificate PDF in the chat: sent after ``/certificate`` and after an exam pass.

The update's transaction only records that the PDF is to be sent: a reply with its caption and a
:class:`~hocvuso.chat.replies.Later` of kind ``certificate:<code>``, stored with the update's
replies (the outbox of ``processed_update``). The PDF is made when that reply is sent
(:func:`make_pdf`, from the stored signed credential), outside the transaction and after the
replies before it ("Chúc mừng…") have gone out; its bytes are never stored, so a replayed reply
makes it again from the code. A revoked certificate is never sent: the learner gets the note
that it was revoked instead, also when it was revoked between the pass and the send.
"""

from __future__ import annotations

import logging

from hocvuso.chat.context import Ctx
from hocvuso.chat.replies import Document, Later
from hocvuso.learning import certificate_pdf
from hocvuso.storage.models import Certificate

KIND = "certificate:"
log = logging.getLogger(__name__)


async def send_pdf(ctx: Ctx, certificate: Certificate) -> None:
    """The certificate's PDF with its caption, made at send time (only the note when revoked)."""
    if certificate.revoked_at is not None:
        ctx.say(ctx.t("certificate-revoked-note", code=certificate.id))
        return
    ctx.say(
        ctx.t("certificate-pdf-caption", number=certificate.level, code=certificate.id),
        later=Later(f"{KIND}{certificate.id}", fallback=ctx.t("certificate-pdf-failed")),
    )


async def make_pdf(ctx: Ctx, kind: str) -> None:
    """At send time: the PDF of ``certificate:<code>`` (the learner's own only) with its caption,
    or the note that it was revoked, or that it could not be made (``/certificate`` makes it
    again). Nothing when the code no longer exists (erased meanwhile)."""
    certificate = await ctx.session.get(Certificate, kind.removeprefix(KIND))
    if certificate is None or certificate.learner_id != ctx.me_id:
        return
    try:
        made = await certificate_pdf.render_certificate(
            ctx.session, ctx.pack, ctx.settings, certificate
        )
    except certificate_pdf.NoPdf:
        ctx.say(ctx.t("certificate-revoked-note", code=certificate.id))
        return
    except Exception:
        # The certificate itself stands (it was issued and committed): only its file is
        # missing, and /certificate makes it again. Logged without the code or the name.
        log.exception("a certificate PDF could not be made")
        ctx.say(ctx.t("certificate-pdf-failed"))
        return
    ctx.say(
        ctx.t("certificate-pdf-caption", number=certificate.level, code=certificate.id),
        document=Document(made.filename, made.content, kind=f"{KIND}{made.code}"),
    )


async def resend(ctx: Ctx, kind: str) -> None:
    """A replayed ``certificate:<code>`` stored before documents were made at send time (the
    learner's own only): recorded again, to be made when it is sent."""
    code = kind.removeprefix(KIND)
    certificate = await ctx.session.get(Certificate, code)
    if certificate is None or certificate.learner_id != ctx.me_id:
        return  # erased meanwhile (the code no longer exists): nothing is sent again
    await send_pdf(ctx, certificate)
