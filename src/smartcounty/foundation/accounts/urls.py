from django.urls import path

from smartcounty.foundation.accounts import views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("login/verify/", views.verify_second_factor, name="verify"),
    path("login/two-step/", views.enrol_at_sign_in, name="enrol"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("signup/", views.sign_up, name="signup"),
    path("signup/verify/", views.sign_up_verify, name="signup_verify"),
    path("me/", views.profile, name="profile"),
    path("me/password/", views.password_change, name="password"),
    path("me/two-step/", views.two_step, name="two_step"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/<slug:code>/", views.organisation_detail, name="organisation"),
]
