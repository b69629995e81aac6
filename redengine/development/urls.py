from django.urls import path

from . import views

app_name = "development"
urlpatterns = [
    path("cases/", views.CaseListView.as_view(), name="case_list"),
    path("cases/add/", views.CaseAddView.as_view(), name="case_add"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("cases/<int:pk>/steps/add/", views.StepAddView.as_view(), name="step_add"),
    path("cases/<int:pk>/steps/undo/", views.StepUndoView.as_view(), name="step_undo"),
    path("cases/<int:pk>/close/", views.CaseCloseView.as_view(), name="case_close"),
    path("cultivation/add/", views.CultivationAddView.as_view(), name="cultivation_add"),
    path("people/<int:pk>/", views.person_cases, name="person_cases"),
    path("attachments/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
    path("due/", views.DueView.as_view(), name="due"),
    path("plans/", views.PlanListView.as_view(), name="plan_list"),
    path("plans/add/", views.PlanEditView.as_view(), name="plan_add"),
    path("plans/<int:pk>/edit/", views.PlanEditView.as_view(), name="plan_edit"),
    path("plans/<int:pk>/delete/", views.PlanDeleteView.as_view(), name="plan_delete"),
]
