"""Platform detection, canonical job keys and the URL rules, without a server."""

import pytest

from services.intake.jobs import detect, normalise
from services.intake.urlcheck import RefusedUrl, check, check_host_name, check_shape, internal

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("url", "platform", "key"),
    [
        ("https://boards.greenhouse.io/acme/jobs/4012345?gh_src=x", "greenhouse", "greenhouse:acme:4012345"),
        ("https://job-boards.greenhouse.io/Acme/jobs/4012345", "greenhouse", "greenhouse:acme:4012345"),
        ("https://www.acme.example.org/careers?gh_jid=4012345", "greenhouse", "greenhouse:4012345"),
        (
            "https://jobs.lever.co/acme/0b3c3f4e-1d2a-4c5b-9e8f-7a6b5c4d3e2f/apply",
            "lever",
            "lever:acme:0b3c3f4e-1d2a-4c5b-9e8f-7a6b5c4d3e2f",
        ),
        (
            "https://jobs.ashbyhq.com/acme/0b3c3f4e-1d2a-4c5b-9e8f-7a6b5c4d3e2f/application",
            "ashby",
            "ashby:acme:0b3c3f4e-1d2a-4c5b-9e8f-7a6b5c4d3e2f",
        ),
        (
            "https://acme.wd5.myworkdayjobs.com/en-US/External/job/Oakland-CA/Data-Engineer_R-10234",
            "workday",
            "workday:acme:r-10234",
        ),
        ("https://www.linkedin.com/jobs/view/3901234567/", "linkedin", "linkedin:3901234567"),
        ("https://www.linkedin.com/jobs/search/?currentJobId=3901234567", "linkedin", "linkedin:3901234567"),
        (
            "https://jobs.example.org/openings/7?utm_source=x&b=2&a=1",
            "generic",
            "generic:jobs.example.org/openings/7?a=1&b=2",
        ),
    ],
)
def test_platform_and_key(url: str, platform: str, key: str) -> None:
    job = detect(url, sandbox=False)
    assert (job.platform, job.key) == (platform, key)


def test_sandbox_paths_are_platforms_only_in_sandbox_mode() -> None:
    url = "http://127.0.0.1:8123/greenhouse/northwind/jobs/1001"
    assert detect(url, sandbox=True).key == "greenhouse:northwind:1001"
    assert detect(url, sandbox=False).platform == "generic"
    assert detect("http://127.0.0.1:8123/careers/jobs/data-engineer", sandbox=True).platform == "generic"


def test_normalising_keeps_what_names_the_job() -> None:
    assert normalise("HTTPS://Jobs.Example.org:443//a/b/?ref=x&id=3#top") == "https://jobs.example.org/a/b?id=3"
    assert normalise("http://jobs.example.org:8080/a") == "http://jobs.example.org:8080/a"


@pytest.mark.parametrize(
    "url", ["ftp://jobs.example.org/", "file:///etc/passwd", "https://a:b@jobs.example.org/", "https:///nohost"]
)
def test_shapes_refused(url: str) -> None:
    with pytest.raises(RefusedUrl):
        check_shape(url)


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.10",
        "169.254.169.254",
        "::1",
        "fd00::1",
        "printer.local",
        "db.internal",
        "2130706433",
        "intranet",
    ],
)
def test_internal_hosts_refused(host: str) -> None:
    with pytest.raises(RefusedUrl):
        check_host_name(host)


def test_public_addresses_pass() -> None:
    assert not internal("93.184.215.14") and internal("::ffff:127.0.0.1") and internal("100.64.0.1")
    check_host_name("jobs.example.org")


async def test_sandbox_mode_allows_loopback_and_production_does_not() -> None:
    await check("http://127.0.0.1:8000/greenhouse/x/jobs/1", sandbox=True)
    with pytest.raises(RefusedUrl):
        await check("http://127.0.0.1:8000/greenhouse/x/jobs/1", sandbox=False)
    with pytest.raises(RefusedUrl):
        await check("http://localhost.:8000/", sandbox=False)
