"""A PDF is the same bytes for the same page, whenever it is rendered (``core/pdf.py``)."""

import time

from grandstrategy.core import pdf

PAGE = (
    "<html><head><title>Brief</title></head><body><h1>Weekly brief</h1>"
    "<p>Cyber attacks on ports rose; les ports belges, de Antwerpse haven, der Hafen.</p>"
    "</body></html>"
)


def test_the_same_page_renders_to_the_same_bytes_a_second_later():
    first = pdf.from_html(PAGE)
    time.sleep(1.1)  # fonts embedded a second later used to carry another time stamp
    again = pdf.from_html(PAGE)
    assert first.startswith(b"%PDF") and first == again
    assert pdf.from_html(PAGE.replace("rose", "fell")) != first  # and the page still counts
