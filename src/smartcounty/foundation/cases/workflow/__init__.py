"""Workflows as data: a definition document (JSON or YAML) that becomes a case type without a release.

A document::

    key: housing.filing          # small letters, digits, _; one dot at most
    title: 房屋租赁备案
    prefix: FB                   # case numbers start with it (2-4 capital letters)
    filed_by: ["*"]              # roles that may file ("*": anyone signed in)
    legal_limit: {amount: 10, unit: working_days}   # the legal limit of the whole case
    states:
      - {key: submitted, title: 已提交, start: true, roles: [staff], lane: owner,
         limit: {amount: 1, unit: working_days}}
      - {key: supplement, title: 补正, lane: reporter, counts: false}   # the clock pauses here
      - key: review
        title: 并联审查
        branches:                # parallel branches (并联审批): each department's own step
          - {key: planning, title: 规划审查, roles: [staff], organisations: [planning-bureau]}
          - {key: fire, title: 消防审查, roles: [staff]}
      - {key: reviewed, title: 审查完成, join_of: review}   # entered when every branch is done
      - {key: done, title: 办结, terminal: true}
    transitions:
      - key: accept
        title: 受理
        from: [submitted]
        to: review
        roles: [staff]
        relation: owner          # queue (default), responsible, owner, supervisor, reporter, any
        required: [opinion]      # data keys (or note) the step needs
        guard: {field: area, op: gt, value: 0}          # see ``guards``
      - {key: expire, title: 逾期未补正, from: [supplement], to: done, timer: {amount: 5, unit: natural_days}}
    notifications:
      - {on: done, to: reporter, message: 您的申请已办结}     # on: a state or step:<key>
    forms:
      apply: {fields: [...]}     # the filing form (see ``cases.forms``)

Units are ``hours`` (working hours), ``working_days`` and ``natural_days``. A state with ``counts: false``
pauses both its own clock and the case's legal clock; leaving it resumes them with the time that was left.

- ``document.check(doc)``: every problem (``problems``: one class per kind, each with a Chinese message);
- ``compile.compile_document(doc)``: the ``CaseType`` the engine runs;
- ``store``: drafts, published versions, the current case types, import and export.
"""
