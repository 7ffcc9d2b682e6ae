from django.urls import path

from careloop.initiatives import views

app_name = "initiatives"

urlpatterns = [
    path("initiatives/", views.initiatives, name="list"),
    path("initiatives/new/", views.initiative_create, name="new"),
    path("initiatives/money/", views.money_page, name="money"),
    path(
        "initiatives/money/customer-values/",
        views.customer_values_import,
        name="customer-values",
    ),
    path("initiatives/quarterly.pdf", views.quarterly_pdf, name="quarterly-pdf"),
    path("initiatives/<int:pk>/", views.initiative_detail, name="initiative"),
    path("initiatives/<int:pk>/report.pdf", views.initiative_pdf, name="pdf"),
    path("initiatives/<int:pk>/export.csv", views.initiative_csv, name="csv"),
]
