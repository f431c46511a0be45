"""The benchmark's documents are real: they verify, through Satchel and the stock pyld path.

No timing here (speed is shown by `satchel bench`, not asserted in tests).
"""

from __future__ import annotations

from pwa.bench import _clr, _example, _presentation, _stock_verifier
from shared.verification.pipeline import VerifyOptions, verify


async def test_bench_clr_and_its_nested_badges_verify() -> None:
    clr, badges = _clr(2)
    assert clr["@context"][1] == "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
    assert clr["credentialSubject"]["type"] == ["ClrSubject"]
    assert (await verify(clr)).verified
    for badge in badges:
        assert "AchievementCredential" in badge["type"]
        assert (await verify(badge)).verified
        _stock_verifier(badge)()
    _stock_verifier(clr)()


async def test_bench_presentation_and_example_verify() -> None:
    vp, credentials = _presentation(2)
    report = await verify(vp, options=VerifyOptions(challenge="bench"))
    assert report.verified and len(report.nested) == len(credentials) == 2
    _stock_verifier(vp)()
    _stock_verifier(_example())()
