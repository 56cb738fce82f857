"""BPMN 2.0 in and out (DMN 1.3 is in codegen.dmn).

- `safe_xml`: reading uploaded XML with every dangerous feature refused;
- `importer`: a BPMN file's processes as bundle documents with an import report (`report`);
- `exporter`: a bundle as BPMN with its diagram and Flowdesk's settings;
- `foreign`: FEEL, JUEL and Python conditions and ISO 8601 timers translated where exact;
- `names`: namespaces and the mapping between BPMN and Flowdesk ids.
"""

from codegen.bpmn.exporter import export_bpmn
from codegen.bpmn.importer import BpmnImportError, ImportedProcess, import_bpmn
from codegen.bpmn.report import ImportReport, Outcome

__all__ = ["BpmnImportError", "ImportReport", "ImportedProcess", "Outcome", "export_bpmn", "import_bpmn"]
