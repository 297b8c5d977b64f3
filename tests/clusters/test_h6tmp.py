from django.urls import reverse

def test_dbg(world, login):
    client = login(world.users["admin"])
    response = client.post(
        reverse("term_create", args=[world.cluster.pk]),
        {"year": "2025","total_points": "100","report_deadline": "05/03/2026",
         "units": [world.unit_a.pk, world.unit_chair.pk],"chair": world.unit_chair.pk,"deputy": world.unit_a.pk},
    )
    print("STATUS", response.status_code, response.context and response.context["form"].errors)
    assert 0
