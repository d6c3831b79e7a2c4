"""The certificate PDF in the chat: sent after ``/certificate`` and after an exam pass.

The reply carries the document's kind ``certificate:<code>``; its bytes are never stored, so a
replayed reply makes the PDF again from the code (:func:`resend`). A revoked certificate is
never sent: the learner gets the note that it was revoked instead.
"""

from __future__ import annotations

import logging

from hocvuso.chat.context import Ctx
from hocvuso.chat.replies import Document
from hocvuso.learning import certificate_pdf
from hocvuso.storage.models import Certificate

KIND = "certificate:"
log = logging.getLogger(__name__)


async def send_pdf(ctx: Ctx, certificate: Certificate) -> None:
    """The certificate's PDF with its caption (only the note when it was revoked)."""
    try:
        made = await certificate_pdf.render_certificate(
            ctx.session, ctx.pack, ctx.settings, certificate
        )
    except certificate_pdf.NoPdf:
        ctx.say(ctx.t("certificate-revoked-note", code=certificate.id))
        return
    except Exception:
        # The certificate itself stands (it was issued in this transaction): only its file is
        # missing, and /certificate makes it again. Logged without the code or the name.
        log.exception("a certificate PDF could not be made")
        ctx.say(ctx.t("certificate-pdf-failed"))
        return
    ctx.say(
        ctx.t("certificate-pdf-caption", number=certificate.level, code=certificate.id),
        document=Document(made.filename, made.content, kind=f"{KIND}{made.code}"),
    )


async def resend(ctx: Ctx, kind: str) -> None:
    """Make a replayed ``certificate:<code>`` document again (the learner's own only)."""
    code = kind.removeprefix(KIND)
    certificate = await ctx.session.get(Certificate, code)
    if certificate is None or certificate.learner_id != ctx.me_id:
        return  # erased meanwhile (the code no longer exists): nothing is sent again
    await send_pdf(ctx, certificate)
