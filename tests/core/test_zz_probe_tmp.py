import pytest
from django.template import Template, Context
from skillcert.core.actors import Actor
from skillcert.core.services import user_create
@pytest.mark.django_db
def test_probe():
    u = user_create(actor=Actor.system("t"), username="a", password=None, full_name="x", id_type="resident", id_number="53010219900101001X", phone="13812345678")
    print(type(u.id_number), Template("{{ u.id_number }}").render(Context({"u": u})))
