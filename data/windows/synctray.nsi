; synctray's Windows installer: a per-user install (no administrator) into
; %LOCALAPPDATA%\Programs\synctray, a Start-menu shortcut to the tray, and an uninstaller
; listed in "Apps" (Settings) and "Programs and Features". `/S` installs and uninstalls
; silently. Uninstalling keeps the user's workspaces and data (%APPDATA%\synctray).
;
; Built with NSIS 3 (makensis runs on Linux too):
;   makensis -DVERSION=0.1.0 -DBIN=<absolute folder holding synctray.exe and synctray-tray.exe> \
;            -DOUTFILE=<absolute path of the setup .exe> data/windows/synctray.nsi
; .ci/package-windows passes the version from Cargo.toml and the release build.

; A 64-bit installer for the 64-bit program (Unicode; it also runs where Windows has no
; 32-bit layer, as Wine without wine32 does).
Target amd64-unicode
ManifestDPIAware true
!ifdef UNCOMPRESSED
  ; -DUNCOMPRESSED: no compression, for tests that build the installer from debug builds.
  SetCompress off
!else
  SetCompressor /SOLID lzma
!endif

!ifndef VERSION
  !error "pass the version: -DVERSION=x.y.z (from Cargo.toml)"
!endif
!ifndef BIN
  !error "pass the folder holding synctray.exe and synctray-tray.exe: -DBIN=..."
!endif
!ifndef OUTFILE
  !define OUTFILE "synctray-${VERSION}-setup.exe"
!endif

; makensis works in the script's folder (data/windows): the repository is two up. Give BIN and
; OUTFILE as absolute paths.
!define ROOT "../.."
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\synctray"
!define RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define PUBLISHER "synctray developers"
; synctray's AppUserModelID: the same as APP_USER_MODEL_ID in src/shortcut.rs, which the
; toasts are sent with and `synctray --set-shortcut-app-id` writes into the shortcut (the
; Wine test checks that all three agree). Windows names a toast's sender from it.
!define APP_ID "synctray.synctray"
!define APP_ID_KEY "Software\Classes\AppUserModelId\${APP_ID}"

; The four numbers of the version resource: "1.2.3-rc.1" gives 1.2.3.0.
!searchparse /noerrors "${VERSION}-" "" V_MAJOR "." V_MINOR "." V_PATCH "-"

Name "synctray"
OutFile "${OUTFILE}"
; Per user: no UAC prompt, and HKCU and the user's own folders only.
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\synctray"
; An upgrade goes where the last install went.
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "synctray ${VERSION}"

VIProductVersion "${V_MAJOR}.${V_MINOR}.${V_PATCH}.0"
VIFileVersion "${V_MAJOR}.${V_MINOR}.${V_PATCH}.0"
VIAddVersionKey /LANG=0 "ProductName" "synctray"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileDescription" "synctray ${VERSION} setup"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "LegalCopyright" "${PUBLISHER} (MIT license)"

!include "MUI2.nsh"
!include "LogicLib.nsh"

!define MUI_ICON "${ROOT}/icons/synctray.ico"
!define MUI_UNICON "${ROOT}/icons/synctray.ico"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\synctray-tray.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Start synctray"

!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

; Sets $1 when FILE exists and cannot be opened for writing: Windows refuses that for the
; file of a running program.
!macro OPEN_FOR_WRITING FILE
  ${If} ${FileExists} "${FILE}"
    ClearErrors
    FileOpen $0 "${FILE}" a
    ${If} ${Errors}
      StrCpy $1 "running"
    ${Else}
      FileClose $0
    ${EndIf}
  ${EndIf}
!macroend

; Changes nothing while synctray (the tray, or `synctray --daemon`) runs from $INSTDIR:
; Windows lets no running program's file be replaced or deleted, and half a program would
; be left. Asks to quit it and retry; silently (/S), gives up, leaving all as it was.
!macro NOT_WHILE_RUNNING
  not_while_running:
  StrCpy $1 ""
  !insertmacro OPEN_FOR_WRITING "$INSTDIR\synctray.exe"
  !insertmacro OPEN_FOR_WRITING "$INSTDIR\synctray-tray.exe"
  ${If} $1 != ""
    MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION \
      "synctray is running from $INSTDIR.$\r$\n$\r$\nQuit it (Quit in its tray menu; stop synctray --daemon), then choose Retry." \
      /SD IDCANCEL IDRETRY not_while_running
    Abort "synctray is running from $INSTDIR: nothing was changed"
  ${EndIf}
!macroend

Section "synctray"
  SetShellVarContext current
  !insertmacro NOT_WHILE_RUNNING
  SetOutPath "$INSTDIR"
  File "${BIN}/synctray.exe"
  File "${BIN}/synctray-tray.exe"
  File "${ROOT}/README.md"
  ; The icon Windows shows on synctray's toasts (the registration below names it).
  File "/oname=synctray.png" "${ROOT}/icons/app/synctray-256.png"
  WriteUninstaller "$INSTDIR\Uninstall.exe"

  ; The shortcut starts the tray (no console window); its working folder is the program's,
  ; which holds no workspace, so the tray opens the default workspace.
  CreateShortcut "$SMPROGRAMS\synctray.lnk" "$INSTDIR\synctray-tray.exe" "" \
    "$INSTDIR\synctray-tray.exe" 0 SW_SHOWNORMAL "" "Runs a workspace's sync commands on a schedule"
  ; Toasts name synctray: the shortcut carries its AppUserModelID (written into the .lnk
  ; by synctray itself: the shell's IPropertyStore needs COM calls NSIS makes awkwardly,
  ; and Wine's saves nothing), and the id is registered with the name and icon to show.
  ; Either alone makes Windows name synctray; without both, toasts still show, as
  ; Windows PowerShell's.
  nsExec::ExecToLog '"$INSTDIR\synctray.exe" --set-shortcut-app-id "$SMPROGRAMS\synctray.lnk"'
  Pop $0
  ${If} $0 != 0
    DetailPrint "The Start-menu shortcut carries no AppUserModelID (exit $0)"
  ${EndIf}
  WriteRegStr HKCU "${APP_ID_KEY}" "DisplayName" "synctray"
  WriteRegStr HKCU "${APP_ID_KEY}" "IconUri" "$INSTDIR\synctray.png"

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "synctray"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\synctray-tray.exe,0"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\Uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\Uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ; "Apps" shows the size (in KiB) from here: a per-user install has no other source.
  SectionGetSize 0 $0
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" $0
SectionEnd

Section "Uninstall"
  SetShellVarContext current
  !insertmacro NOT_WHILE_RUNNING
  ; Only what the installer put there: a folder the user chose keeps anything else in it,
  ; and is removed only when that leaves it empty.
  Delete "$INSTDIR\synctray.exe"
  Delete "$INSTDIR\synctray-tray.exe"
  Delete "$INSTDIR\README.md"
  Delete "$INSTDIR\synctray.png"
  Delete "$INSTDIR\Uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\synctray.lnk"
  ; "Start at login" (the tray's menu) writes this value; it would start a program that
  ; is gone.
  DeleteRegValue HKCU "${RUN_KEY}" "synctray"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "${APP_ID_KEY}"
  ; The user's workspaces and data (%APPDATA%\synctray, and any workspace folder) stay.
SectionEnd
