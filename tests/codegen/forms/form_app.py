"""The NiceGUI main file of the FormView tests: /complaint shows the complaint form, /blank an empty page.

Each FormView built is appended to `VIEWS` (in tests.codegen.forms.forms_shown) so a test can call
its `values()` and `validate()` as the work page does.
"""

from nicegui import ui

from codegen.forms.view import FormView
from tests.codegen.forms.forms import COMPLAINT_FORM, COMPLAINT_VALUES, COMPLAINT_VARIABLES, compiler
from tests.codegen.forms.forms_shown import VIEWS

if __name__ == "__main__":

    @ui.page("/complaint")
    def complaint() -> None:
        VIEWS.append(FormView(COMPLAINT_FORM, COMPLAINT_VARIABLES, COMPLAINT_VALUES, compiler(COMPLAINT_VARIABLES)))

    @ui.page("/blank")
    def blank() -> None:
        ui.label("forms appear here")

    ui.run(reload=False, show=False, storage_secret="test")
