import { AppError } from "@clinic/platform";

/** Every refusal this service gives, with its status and code, in one place. */
export class AppointmentNotFound extends AppError {
  constructor() {
    super(404, "APPOINTMENT_NOT_FOUND", "Appointment not found");
  }
}

export class NotYourAppointment extends AppError {
  constructor() {
    super(403, "FORBIDDEN", "You are not authorized to access this appointment");
  }
}

export class BookingNotAllowed extends AppError {
  constructor(reason: string) {
    super(403, "FORBIDDEN", reason);
  }
}

export class AppointmentNotScheduled extends AppError {
  constructor(status: string) {
    super(409, "APPOINTMENT_NOT_SCHEDULED", `Only a SCHEDULED appointment can change; this one is ${status}`, {
      appointment_status: status,
    });
  }
}

export class DoctorUnavailable extends AppError {
  constructor(conflictingId: string) {
    super(409, "DOCTOR_UNAVAILABLE", "The doctor already has an appointment at that time", {
      conflicting_appointment_id: conflictingId,
    });
  }
}

export class InvalidAppointmentRequest extends AppError {
  constructor(code: "INVALID_TIME_RANGE" | "START_TIME_IN_PAST" | "DOCTOR_REQUIRED", message: string) {
    super(400, code, message);
  }
}
