; NSIS installer for Kaoqin (考勤). Build on Windows after `cargo build --release`:
;   makensis installer\windows\kaoqin.nsi
Unicode true
!define APPNAME "Kaoqin"
!define APPNAME_ZH "考勤"
Name "${APPNAME} ${APPNAME_ZH}"
OutFile "..\..\target\release\kaoqin-setup.exe"
InstallDir "$PROGRAMFILES64\Kaoqin"
RequestExecutionLevel admin

Section "Install"
  SetOutPath "$INSTDIR"
  File "..\..\target\release\kaoqin.exe"
  File "..\..\target\release\kaoqin-zk.exe"
  File "..\..\target\release\kaoqin-sim.exe"
  CreateDirectory "$SMPROGRAMS\Kaoqin"
  CreateShortcut "$SMPROGRAMS\Kaoqin\${APPNAME_ZH} Kaoqin.lnk" "$INSTDIR\kaoqin.exe"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKLM "Software\Microsoft\Windows\CurrentVersion\Uninstall\Kaoqin" "DisplayName" "${APPNAME_ZH} Kaoqin"
  WriteRegStr HKLM "Software\Microsoft\Windows\CurrentVersion\Uninstall\Kaoqin" "UninstallString" "$INSTDIR\uninstall.exe"
SectionEnd

; The user's database, logs and key file live in the user's AppData and are kept on uninstall on purpose:
; attendance records must never be deleted by removing the program.
Section "Uninstall"
  Delete "$INSTDIR\kaoqin.exe"
  Delete "$INSTDIR\kaoqin-zk.exe"
  Delete "$INSTDIR\kaoqin-sim.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\Kaoqin\${APPNAME_ZH} Kaoqin.lnk"
  RMDir "$SMPROGRAMS\Kaoqin"
  DeleteRegKey HKLM "Software\Microsoft\Windows\CurrentVersion\Uninstall\Kaoqin"
SectionEnd
