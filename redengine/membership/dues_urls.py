from django.urls import path

from . import dues_views as views

urlpatterns = [
    path("dues/", views.ledger, name="dues_ledger"),
    path("dues/calculator/", views.calculator, name="dues_calculator"),
    path("dues/totals/", views.totals, name="dues_totals"),
    path("dues/entries/", views.EntryListView.as_view(), name="duesentry_list"),
    path("dues/entries/<int:pk>/pay/", views.PayView.as_view(), name="dues_pay"),
    path("dues/members/<int:pk>/", views.member_dues, name="dues_member"),
    path("dues/members/<int:pk>/base/", views.BaseView.as_view(), name="dues_base_add"),
    path("dues/members/<int:pk>/relief/", views.ReliefView.as_view(), name="dues_relief_add"),
    path("dues/members/<int:pk>/voluntary/", views.VoluntaryView.as_view(), name="dues_voluntary_add"),
    path("dues/organizations/<int:pk>/open/", views.OpenMonthView.as_view(), name="dues_open"),
    path("dues/organizations/<int:pk>/pay/", views.BatchPayView.as_view(), name="dues_pay_batch"),
    path("dues/sheet/", views.collection_sheet, name="dues_sheet"),
    path("dues/voluntary/", views.VoluntaryListView.as_view(), name="voluntarypayment_list"),
    path("dues/voluntary/<int:pk>/passed-up/", views.PassedUpView.as_view(), name="dues_passed_up"),
]
