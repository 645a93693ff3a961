"""The report's list of log files, bounded: past GROUP_PAST files they are grouped, the unread still named
(issue #16, item 5). Two layouts people point the tool at: the kubelet's pod logs and Docker's json-file logs."""

from support.many_logs import cri_pod_logs, docker_json_logs

from wicked_platform.tools.input_groups import GROUP_PAST, MAX_GROUPS, MAX_LISTED, OTHER_SERVICES, bounded_inputs, log_groups
from wicked_platform.tools.logs.discovery import expand_log_args
from wicked_platform.tools.logs.scan import scan_logs
from wicked_platform.tools.report import InputSummary, LogInput

def _inputs(files, **inputs) -> InputSummary:
    logs = [LogInput(path=f.path, format=f.format.value, lines=f.lines, unparsed=f.unparsed) for f in files]
    return InputSummary(repo=None, context=None, logs=logs, log_files=len(files), log_groups=log_groups(files), **inputs)


def test_pod_logs_are_grouped_by_service_and_the_unread_still_named(tmp_path):
    base = cri_pod_logs(tmp_path, 120)
    garbled = base / "shop_cart-api-7d9f8-99999_x-uid" / "cart-api"
    garbled.mkdir(parents=True)
    (garbled / "0.log").write_text("".join(f"checksum block {i} mismatch, see dump\n" for i in range(40)))
    files = scan_logs(expand_log_args([str(base)], tmp_path)).files
    assert len(files) == 121 > GROUP_PAST
    groups = log_groups(files)
    assert [(g.service, g.files, g.directory) for g in groups if g.service] == [
        ("cart-api", 60, str(base)), ("checkout-api", 60, str(base))]
    assert sum(g.files for g in groups) == 121 and sum(g.unread_files for g in groups) == 1
    printed = bounded_inputs(_inputs(files))
    assert [log.path for log in printed.logs] == [str(garbled / "0.log")]  # the unread file, by name
    assert printed.omitted == {"logs": 120} and printed.log_files == 121


def test_thousands_of_docker_containers_are_bounded_groups(tmp_path):
    base = docker_json_logs(tmp_path, 80)
    files = scan_logs(expand_log_args([str(base)], tmp_path)).files
    groups = log_groups(files)
    assert len(groups) == MAX_GROUPS and groups[-1].service == OTHER_SERVICES
    assert sum(g.files for g in groups) == 80 and groups[-1].files == 80 - (MAX_GROUPS - 1)
    left_out = [f.path for f in files]
    printed = bounded_inputs(_inputs(files, left_out=left_out))
    assert printed.logs == [] and len(printed.left_out) == MAX_LISTED
    assert printed.omitted == {"logs": 80, "left_out": 80 - MAX_LISTED}


def test_a_few_files_are_listed_one_by_one_as_before(tmp_path):
    files = scan_logs(expand_log_args([str(cri_pod_logs(tmp_path, GROUP_PAST))], tmp_path)).files
    inputs = _inputs(files)
    assert inputs.log_groups == [] and bounded_inputs(inputs) is inputs
