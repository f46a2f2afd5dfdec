"""Every event type, by name, for decoding a message from its subject or payload."""

from contracts.applications import ApplicationCompleted, ApplicationFailed, ApplicationSubmitted
from contracts.envelope import Event
from contracts.human import CaptchaDetected, HumanNeeded, HumanResolved, HumanTimeout
from contracts.mail import EmailNotFound, EmailVerificationNeeded, EmailVerified
from contracts.profiles import ProfileFailed, ProfileReady, ProfileReleased
from contracts.tasks import (
    TaskApproved,
    TaskCancelled,
    TaskFailed,
    TaskProgress,
    TaskQueued,
    TaskRejected,
    TaskRetrying,
    TaskReviewNeeded,
)
from contracts.users import (
    AccountPaused,
    CredentialsDeleted,
    CredentialsStored,
    MailboxConnected,
    MailboxDisconnected,
    UserDeleted,
)

EVENT_TYPES: dict[str, type[Event]] = {
    cls.TYPE: cls
    for cls in (
        TaskQueued,
        TaskRejected,
        TaskCancelled,
        TaskProgress,
        TaskRetrying,
        TaskFailed,
        TaskReviewNeeded,
        TaskApproved,
        ProfileReady,
        ProfileFailed,
        ProfileReleased,
        CaptchaDetected,
        HumanNeeded,
        HumanResolved,
        HumanTimeout,
        EmailVerificationNeeded,
        EmailVerified,
        EmailNotFound,
        ApplicationSubmitted,
        ApplicationCompleted,
        ApplicationFailed,
        UserDeleted,
        MailboxConnected,
        MailboxDisconnected,
        CredentialsStored,
        CredentialsDeleted,
        AccountPaused,
    )
}
