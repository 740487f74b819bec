"""The workflow is data: its definition file passes every check of a workflow definition."""

from smartcounty.domains.governance.catalogue import CASE_TYPE, WORKFLOW_FILE
from smartcounty.foundation.cases import services


def test_the_workflow_file_is_a_valid_definition():
    assert services.check_workflow_file(WORKFLOW_FILE) == []
    assert CASE_TYPE.key == "governance.event" and CASE_TYPE.version_id is None
